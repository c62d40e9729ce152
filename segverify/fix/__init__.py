"""Fix stage: the cheapest set of model changes that makes every policy in scope hold."""
