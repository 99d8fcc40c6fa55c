"""What the course notebooks import: data, checks for exercises, plots that are not the lesson."""

from helpers.checks import check, check_choice, check_that, check_type
from helpers.data import DatasetError

__all__ = ["DatasetError", "check", "check_choice", "check_that", "check_type"]
