"""Output: the plan, the live watch view, the doctor's and explain's reports."""
