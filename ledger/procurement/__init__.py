"""Standardised purchases under 100,000,000 KRW as a state machine whose every step is logged."""
