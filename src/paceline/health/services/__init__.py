"""Health writes (and the unstored score as of a day): see ``scores`` and ``config``."""

from paceline.health.services.config import assessment_add, model_create, model_save
from paceline.health.services.scores import BIG_MOVE, score_as_of, scores_compute

__all__ = ["BIG_MOVE", "assessment_add", "model_create", "model_save", "score_as_of", "scores_compute"]
