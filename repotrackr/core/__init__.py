"""Pure helpers shared by the engines (no Django imports)."""
