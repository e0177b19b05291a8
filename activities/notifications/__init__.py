"""Notifications: what messages say (templates and catalog), the providers that carry them,
and the activities that send them."""
