"""The score.py contract, transport-free: load the script, call init() and run(), explain errors."""
