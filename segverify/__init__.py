"""segverify: prove network segmentation of a design, or show the attack path."""

__version__ = "0.1.0"
