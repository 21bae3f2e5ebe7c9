#!/usr/bin/env python3
"""RapidOCR (PyPI `rapidocr`, PP-OCRv6 small detection and recognition from models/, no angle classifier,
one ONNX Runtime thread) on the pages given, one .txt per page in OUT_DIR: the baseline of
scripts/bench-engines.sh. Usage: rapidocr-pages.py MODELS_DIR OUT_DIR PAGE..."""
import os
import sys

os.environ["OMP_NUM_THREADS"] = "1"
from rapidocr import RapidOCR  # noqa: E402

models, out, pages = sys.argv[1], sys.argv[2], sys.argv[3:]
engine = RapidOCR(
    params={
        "Global.use_cls": False,
        "Det.model_path": os.path.join(models, "PP-OCRv6_det_small.onnx"),
        "Rec.model_path": os.path.join(models, "PP-OCRv6_rec_small.onnx"),
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
)
for page in pages:
    result = engine(page)
    text = "\n".join(result.txts) if result.txts else ""
    name = os.path.splitext(os.path.basename(page))[0] + ".txt"
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.write(text + "\n")
