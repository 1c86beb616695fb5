"""Exports of one or several `Analysis` objects: JSON, Markdown, Word, Excel, REFI-QDA."""
