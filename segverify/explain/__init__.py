"""Explain stage: the controls a proof rests on, its single points of failure and its margin."""
