# The fixture trees are sample repositories; their own test files are data here.
collect_ignore = ["fixtures"]
