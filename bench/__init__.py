"""segverify's scale benchmark: synthetic enterprises, engine against the plain-Python reference."""
