"""leongraph: the knowledge graph of *Léon: The Professional*, served as linked data."""

from leongraph.config import Settings
from leongraph.engine import Store

__version__ = "0.1.0"

__all__ = ["Settings", "Store", "__version__"]
