"""An IDX images file as one PNG per image (`00000.png`, ...), for batch scoring a folder."""

from pathlib import Path

from scorehost.tutorial.idx import IMAGES_MAGIC, read_idx


def write_pngs(images_path: Path, dest: Path, limit: int | None = None) -> int:
    """Write the images (all, or the first `limit`) losslessly; return how many were written."""
    from PIL import Image

    images = read_idx(images_path, IMAGES_MAGIC)[:limit]
    dest.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(len(images) - 1)))
    for n, image in enumerate(images):
        Image.fromarray(image).save(dest / f"{n:0{width}d}.png")
    return len(images)
