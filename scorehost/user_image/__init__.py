"""`scorehost build`: an image FROM scorehost's with a user's score.py, model and requirements."""
