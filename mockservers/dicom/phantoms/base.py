"""A phantom: the pixels drawn, and the truth of where its anatomy is (for tests)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image


@dataclass
class Phantom:
    pixels: np.ndarray  # float 0..1 (greyscale: rows x columns; colour: rows x columns x 3)
    truth: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # bool masks, at the working size

    def mask(self, name: str) -> np.ndarray:
        """The named truth at the picture's own size (nearest neighbour)."""
        rows, columns = self.pixels.shape[:2]
        small = Image.fromarray(self.truth[name].astype(np.uint8) * 255)
        return np.asarray(small.resize((columns, rows), Image.Resampling.NEAREST)) > 127
