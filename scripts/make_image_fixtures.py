#!/usr/bin/python3
"""Regenerate packages/core/fixtures/image/ (decode / resize / tensor parity fixtures).

Run with Debian's interpreter (its PIL 9.4 / OpenCV 4.6 / numpy are the references):
    /usr/bin/python3 scripts/make_image_fixtures.py

Writes small synthetic source images in several encodings, and what the reference libraries make of them:
  src/<name>.<ext>                  the encoded source
  decoded/<name>.npy                PIL Image.open -> ImageOps.exif_transpose -> convert('RGB'), uint8 HxWx3
  resize/<case>.npy.gz              PIL BILINEAR / cv2 INTER_LINEAR / PIL NEAREST of the decoded pixels, uint8
  tensor/<case>.npy.gz              the float32 model input for one EfficientNet record and for mobilenet_7
  jaffe/<case>.npy.gz               the same for three JAFFE TIFFs read from ../shared/data/jaffe (source images NOT copied)
  manifest.json photos              sha256 of PIL's decoded pixels of ../shared/data/photos/*.jpg (hashes only)
  manifest.json                     every case, its inputs and parameters, plus library versions
Resize outputs are gzip-compressed to keep the folder small; tests gunzip them.
"""
import gzip
import hashlib
import io
import json
import os
import sys

import cv2
import numpy as np
import PIL
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'packages', 'core', 'fixtures', 'image')
JAFFE = os.path.join(os.path.dirname(ROOT), 'shared', 'data', 'jaffe')
PHOTOS = os.path.join(os.path.dirname(ROOT), 'shared', 'data', 'photos')
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
CAFFE_MEAN = np.array([103.939, 116.779, 123.68], dtype=np.float32)


def synth(w, h, seed):
    """Smooth shapes plus mild noise: compresses well, yet exercises every resize weight."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    r = 128 + 100 * np.sin(x / (3 + seed)) * np.cos(y / 5)
    g = 255 * x / max(w - 1, 1)
    b = 255 * ((x - w / 2) ** 2 + (y - h / 2) ** 2 < (min(w, h) / 3) ** 2)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 2, (h, w, 3))
    img[h // 3: h // 3 + 2, :, :] = [250, 10, 10]  # sharp edges
    img[:, w // 4, :] = [0, 0, 0]
    return np.clip(img, 0, 255).astype(np.uint8)


def save_npy(path, arr, compress=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(arr))
    data = buf.getvalue()
    if compress:
        data = gzip.compress(data, compresslevel=9, mtime=0)
    with open(path, 'wb') as f:
        f.write(data)


def exif_bytes(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def make_sources():
    """name -> (file name, writer). All sizes odd or uneven on purpose."""
    src = os.path.join(OUT, 'src')
    os.makedirs(src, exist_ok=True)
    made = {}

    def put(name, ext, pil_img, **kw):
        path = os.path.join(src, f'{name}.{ext}')
        pil_img.save(path, **kw)
        made[name] = f'src/{name}.{ext}'

    big = Image.fromarray(synth(300, 257, 1))
    put('jpeg_baseline', 'jpg', big, quality=90)
    put('jpeg_progressive', 'jpg', Image.fromarray(synth(123, 97, 2)), quality=85, progressive=True)
    put('jpeg_exif6', 'jpg', Image.fromarray(synth(61, 45, 3)), quality=92, exif=exif_bytes(6))
    put('jpeg_exif3', 'jpg', Image.fromarray(synth(53, 41, 4)), quality=92, exif=exif_bytes(3))
    for o in (2, 4, 5, 7, 8):  # the other orientations, tiny, so every transform is checked
        put(f'jpeg_exif{o}', 'jpg', Image.fromarray(synth(23, 17, 10 + o)), quality=95, exif=exif_bytes(o))
    put('jpeg_422', 'jpg', Image.fromarray(synth(51, 37, 18)), quality=90, subsampling=1)  # h2v1 chroma
    put('jpeg_444', 'jpg', Image.fromarray(synth(43, 31, 19)), quality=90, subsampling=0)  # no chroma subsampling
    put('jpeg_grey', 'jpg', Image.fromarray(synth(45, 39, 5)[:, :, 0]), quality=90)
    put('png_rgb', 'png', Image.fromarray(synth(37, 29, 6)))
    put('png_grey', 'png', Image.fromarray(synth(41, 33, 7)[:, :, 1]))
    grey16 = (synth(31, 27, 8)[:, :, 0].astype(np.uint16) * 3)  # PIL clips 16-bit grey ('I') to 0..255 on convert('RGB')
    put('png_grey16', 'png', Image.fromarray(grey16))
    rgb16 = synth(35, 23, 9).astype(np.uint16) * 257 + 3
    ok, enc = cv2.imencode('.png', cv2.cvtColor(rgb16, cv2.COLOR_RGB2BGR))  # PIL cannot write 16-bit RGB
    assert ok
    with open(os.path.join(src, 'png_rgb16.png'), 'wb') as f:
        f.write(enc.tobytes())
    made['png_rgb16'] = 'src/png_rgb16.png'
    put('png_palette', 'png', Image.fromarray(synth(47, 31, 11)).quantize(colors=37))
    rgba = np.dstack([synth(39, 35, 12), (np.arange(39 * 35) % 256).reshape(35, 39).astype(np.uint8)])
    put('png_rgba', 'png', Image.fromarray(rgba, 'RGBA'))
    la = np.dstack([synth(29, 25, 13)[:, :, 2], np.full((25, 29), 77, np.uint8)])
    put('png_grey_alpha', 'png', Image.fromarray(la, 'LA'))
    put('png_interlaced', 'png', Image.fromarray(synth(33, 21, 14)), interlace=1)
    put('tiff_grey', 'tiff', Image.fromarray(synth(27, 19, 15)[:, :, 0]))
    put('tiff_palette', 'tiff', Image.fromarray(synth(25, 23, 16)).quantize(colors=19))
    put('tiff_rgb', 'tiff', Image.fromarray(synth(21, 17, 17)))
    return made


def pil_decode(path):
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        return np.asarray(im.convert('RGB'))


def pil_resize(arr, w, h, resample, box=None):
    im = Image.fromarray(arr)
    if box is not None:
        x, y, bw, bh = box
        im = im.crop((x, y, x + bw, y + bh))  # PIL pads with black outside the image
    return np.asarray(im.resize((w, h), resample))


def cv2_resize(arr, w, h, box=None):
    if box is not None:
        x, y, bw, bh = box
        H, W = arr.shape[:2]
        arr = arr[max(y, 0):min(y + bh, H), max(x, 0):min(x + bw, W)]  # numpy slicing clips (negative starts clamped first)
    return cv2.resize(np.ascontiguousarray(arr), (w, h), interpolation=cv2.INTER_LINEAR)


def enet_tensor(resized):
    x = resized.astype(np.float32) / np.float32(255)
    x = (x - IMAGENET_MEAN) / IMAGENET_STD
    return x.transpose(2, 0, 1)[None].astype(np.float32)  # NCHW


def mobilenet_tensor(resized):
    x = resized.astype(np.float32) - CAFFE_MEAN  # applied to R,G,B in that order, NHWC, no scaling
    return x[None].astype(np.float32)


def main():
    if os.path.isdir(OUT):
        for dirpath, _, files in os.walk(OUT):
            for f in files:
                os.remove(os.path.join(dirpath, f))
    made = make_sources()
    manifest = {
        'generator': 'scripts/make_image_fixtures.py',
        'versions': {'PIL': PIL.__version__, 'cv2': cv2.__version__, 'numpy': np.__version__},
        'decode': [], 'resize': [], 'tensor': [], 'jaffe': [], 'photos': [],
    }
    decoded = {}
    for name, rel in made.items():
        arr = pil_decode(os.path.join(OUT, rel))
        decoded[name] = arr
        save_npy(os.path.join(OUT, 'decoded', f'{name}.npy'), arr)
        manifest['decode'].append({'name': name, 'src': rel, 'decoded': f'decoded/{name}.npy', 'shape': list(arr.shape)})

    # Resize parity needs identical input pixels, not every format: three sources cover down-, up- and mixed scaling.
    cases = []
    cases.append(('jpeg_baseline', 224, 224, None))  # downscale
    cases.append(('jpeg_baseline', 260, 260, None))  # downscale x, slight upscale y
    cases.append(('png_rgb', 224, 224, None))        # upscale
    cases.append(('jpeg_baseline', 224, 224, (250, 180, 80, 90)))   # box past the right and bottom borders
    cases.append(('jpeg_baseline', 260, 260, (-12, -7, 100, 120)))  # box past the left and top borders
    cases.append(('jpeg_baseline', 150, 128, None))                  # exactly half: cv2 takes its INTER_AREA shortcut
    cases.append(('jpeg_exif6', 97, 131, None))                      # non-square upscale of the rotated image
    for name, w, h, box in cases:
        arr = decoded[name]
        tag = f'{name}_{w}x{h}' + ('' if box is None else '_box' + '_'.join(str(v) for v in box))
        for mode, out in (
            ('pil-bilinear', pil_resize(arr, w, h, Image.BILINEAR, box)),
            ('cv2-linear', cv2_resize(arr, w, h, box)),
            ('nearest', pil_resize(arr, w, h, Image.NEAREST, box)),
        ):
            if mode == 'nearest' and (w, h) != (224, 224):
                continue
            rel = f'resize/{tag}_{mode}.npy.gz'
            save_npy(os.path.join(OUT, rel), out, compress=True)
            manifest['resize'].append({'input': f'decoded/{name}.npy', 'width': w, 'height': h, 'mode': mode,
                                       'box': None if box is None else {'x': box[0], 'y': box[1], 'width': box[2], 'height': box[3]},
                                       'expected': rel})

    for name in ('png_rgb',):
        arr = decoded[name]
        for model, fn, mode, size in (
            ('enet_b0_8_best_afew', enet_tensor, 'pil-bilinear', 224),
            ('enet_b2_8', enet_tensor, 'pil-bilinear', 260),
            ('mobilenet_7', mobilenet_tensor, 'cv2-linear', 224),
        ):
            resized = pil_resize(arr, size, size, Image.BILINEAR) if mode == 'pil-bilinear' else cv2_resize(arr, size, size)
            rel = f'tensor/{name}_{model}.npy.gz'
            save_npy(os.path.join(OUT, rel), fn(resized), compress=True)
            manifest['tensor'].append({'input': f'decoded/{name}.npy', 'model': model, 'resize': mode, 'expected': rel})

    if os.path.isdir(JAFFE):
        # One 'L' and two palette 'P' TIFFs; only the small resized outputs are kept, never the images themselves.
        for rel_src in ('happy/KA.HA1.29.tiff', 'angry/KA.AN1.39.tiff', 'angry/KM.AN1.17.tiff'):
            path = os.path.join(JAFFE, rel_src)
            with Image.open(path) as im:
                mode = im.mode
                rgb = np.asarray(im.convert('RGB'))
            stem = os.path.basename(rel_src).replace('.tiff', '').replace('.', '_')
            entry = {'src': rel_src, 'pilMode': mode, 'shape': list(rgb.shape),
                     'decodedSum': int(rgb.astype(np.int64).sum()),
                     'decodedSha256': hashlib.sha256(np.ascontiguousarray(rgb).tobytes()).hexdigest(), 'outputs': []}
            for resize_mode, out in (
                ('pil-bilinear', pil_resize(rgb, 224, 224, Image.BILINEAR)),
                ('cv2-linear', cv2_resize(rgb, 224, 224)),
            ):
                rel = f'jaffe/{stem}_224_{resize_mode}.npy.gz'
                save_npy(os.path.join(OUT, rel), out, compress=True)
                entry['outputs'].append({'mode': resize_mode, 'width': 224, 'height': 224, 'expected': rel})
            manifest['jaffe'].append(entry)
    else:
        print(f'warning: {JAFFE} absent, no JAFFE fixtures', file=sys.stderr)

    if os.path.isdir(PHOTOS):
        # Real camera JPEGs: only a hash of PIL's decoded pixels is kept (the decoder must be exact to match it).
        for f in sorted(os.listdir(PHOTOS)):
            if f.endswith('.jpg'):
                rgb = pil_decode(os.path.join(PHOTOS, f))
                manifest['photos'].append({'src': f, 'shape': list(rgb.shape),
                                           'decodedSha256': hashlib.sha256(np.ascontiguousarray(rgb).tobytes()).hexdigest()})
    else:
        print(f'warning: {PHOTOS} absent, no photo hashes', file=sys.stderr)

    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f'wrote {OUT} ({total / 1e6:.2f} MB)')


if __name__ == '__main__':
    main()
