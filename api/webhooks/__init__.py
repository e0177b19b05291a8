"""Seller webhook routes: endpoints and their delivery logs."""
