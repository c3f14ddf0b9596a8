"""The tutorial's two pictures: the normalized confusion matrix and 30 sample predictions."""

from pathlib import Path

import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure  # the object API: files only, no display or pyplot state


def confusion_png(matrix: npt.NDArray[np.int64], labels: list[int], path: Path) -> None:
    """Row-normalized with the diagonal zeroed, as the tutorial plots it: the errors stand out."""
    rows = matrix.sum(axis=1, keepdims=True)
    normalized = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
    np.fill_diagonal(normalized, 0)
    figure = Figure(figsize=(8, 6))
    axes = figure.subplots()
    image = axes.matshow(normalized, cmap="bone")
    ticks = np.arange(len(labels))
    axes.set_xticks(ticks, [str(label) for label in labels])
    axes.set_yticks(ticks, [str(label) for label in labels])
    axes.xaxis.set_label_position("bottom")
    axes.set_xlabel("predicted values")
    axes.set_ylabel("true labels")
    axes.set_title("Share of each true label predicted as another (diagonal zeroed)")
    figure.colorbar(image)
    figure.savefig(path, dpi=100, bbox_inches="tight")


def samples_png(
    images: npt.NDArray[np.floating],
    truth: npt.NDArray[np.int64],
    predicted: npt.NDArray[np.int64],
    path: Path,
    count: int = 30,
    seed: int = 0,
) -> None:
    """Random test images with their predictions; misclassified ones in red and inverted."""
    picks = np.random.default_rng(seed).permutation(len(images))[:count]
    figure = Figure(figsize=(len(picks) * 0.8, 1.4))
    axes = figure.subplots(1, len(picks), squeeze=False)
    for axis, index in zip(axes[0], picks, strict=True):
        wrong = predicted[index] != truth[index]
        axis.imshow(images[index].reshape(28, 28), cmap="gray" if wrong else "Greys")
        axis.set_title(str(predicted[index]), color="red" if wrong else "black", fontsize=14)
        axis.axis("off")
    figure.savefig(path, dpi=100, bbox_inches="tight")
