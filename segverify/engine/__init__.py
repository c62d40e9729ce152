"""Engine stage: the plain-Python movement engine (doors, openers, fixpoint, witnesses, certificates)."""
