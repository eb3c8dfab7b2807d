"""Python twins of the rendering rows.
mosaic: [256,56,56] smooth post-ReLU maps -> torchvision make_grid (each map scaled to 0..1, 16 per row) -> PIL PNG
        -> base64 data URI in an <img> tag (what MosaicBenchmarks' "Mosaic [256,56,56] to HTML" produces, minus colour).
png:    PIL's PNG encoding (its defaults) of the 912x912 grey mosaic that PngEncodeBenchmarks encodes.
Run: /usr/bin/python3 mosaic.py [--job mosaic|png]"""
import base64
import io

import torch
import torchvision.utils as vutils
from PIL import Image

from common import run, setup_threads

TILES, TILE, GAP = 16, 56, 1
SIDE = TILES * (TILE + GAP)


def activations():
    torch.manual_seed(42)
    coarse = torch.randn(1, 256, 14, 14)
    smooth = torch.nn.functional.interpolate(coarse, size=(TILE, TILE), mode="bilinear", align_corners=False)
    return torch.relu(smooth).squeeze(0)


def grey_mosaic(maps):
    """The same picture as PngEncodeBenchmarks.GreyMosaic: per-map 0..255, 16x16 tiles, a black gap after each."""
    flat = maps.reshape(256, -1)
    lo, hi = flat.amin(1, keepdim=True), flat.amax(1, keepdim=True)
    scaled = ((flat - lo) / (hi - lo).clamp_min(1e-12) * 255).round().to(torch.uint8).reshape(256, TILE, TILE)
    grey = torch.zeros(SIDE, SIDE, dtype=torch.uint8)
    for t in range(256):
        y, x = (t // TILES) * (TILE + GAP), (t % TILES) * (TILE + GAP)
        grey[y:y + TILE, x:x + TILE] = scaled[t]
    return grey.numpy()


def main():
    setup_threads()
    maps = activations()
    grey = grey_mosaic(maps)

    def mosaic():
        grid = vutils.make_grid(maps.unsqueeze(1), nrow=TILES, padding=GAP, normalize=True, scale_each=True)
        pixels = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8).numpy()
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="PNG")
        return '<img src="data:image/png;base64,' + base64.b64encode(buffer.getvalue()).decode("ascii") + '">'

    def png():
        buffer = io.BytesIO()
        Image.fromarray(grey, mode="L").save(buffer, format="PNG")
        return buffer.getvalue()

    if "--sizes" in __import__("sys").argv:
        print(f"mosaic html {len(mosaic()) // 1024} KiB, grey png {len(png()) // 1024} KiB, grey pixel sum {int(grey.sum())}")
        return
    run({"mosaic": mosaic, "png": png}, warmup=2, iterations=15)


if __name__ == "__main__":
    main()
