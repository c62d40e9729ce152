"""Importer: AWS EC2 describe-* JSON (VPCs, subnets, ENIs, security groups, network ACLs) to a model."""
