"""Inzage: a student information system that decides who sees which student data, and when."""
