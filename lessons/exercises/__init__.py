"""Code behind the worked solutions to the lessons' exercises (docs/solutions)."""
