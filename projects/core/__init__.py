"""Pure-Python core of the projects app: no Django imports allowed here."""
