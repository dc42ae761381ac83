"""What a checker tells a student: "Correct!", "Not yet — hint: ..." or "Enter your prediction".

Every exercise has a checker ``check_...(answer, ...)`` that compares a student's prediction with
the value the package computes and returns a :class:`Feedback`. A checker never raises because of
the answer itself; it raises only when the *question* is ill-posed (bad parameters). This module
holds the message type and the small helpers every checker shares.
"""

import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["Feedback", "CORRECT", "HINT", "NO_ANSWER", "correct_answer", "wrong_answer",
           "no_answer", "as_number", "is_close"]

#: What a checker says while the answer is still ``None``.
NO_ANSWER = "Enter your prediction: replace None with your answer and run this cell again."
HINT = "Not yet — hint: "
CORRECT = "Correct! "


@dataclass(frozen=True)
class Feedback:
    """Result of a checker.

    Attributes
    ----------
    correct : bool or None
        True (right), False (wrong) or None (no answer given yet).
    message : str
        Starts with "Correct!", "Not yet — hint:" or "Enter your prediction".
    """

    correct: object
    message: str

    def __str__(self):
        return self.message

    def __bool__(self):
        return self.correct is True



def correct_answer(message):
    """Feedback for a right answer: "Correct! " + ``message`` (why it is right)."""
    return Feedback(True, CORRECT + message)


def wrong_answer(message):
    """Feedback for a wrong answer: "Not yet — hint: " + ``message`` (the likely mistake)."""
    return Feedback(False, HINT + message)


def no_answer():
    """Feedback while the answer is still ``None``: ask for a prediction."""
    return Feedback(None, NO_ANSWER)


def as_number(answer):
    """A student's numeric answer as a float, or None when it is not a finite real number."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, str):
        try:
            answer = float(answer.strip().replace("−", "-"))
        except ValueError:
            return None
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if not isinstance(answer, numbers.Real):
        return None
    value = float(answer)
    return value if np.isfinite(value) else None



def is_close(value, target, rtol, atol):
    """``|value - target| <= rtol * |target| + atol``."""
    return abs(value - target) <= rtol * abs(target) + atol
