"""After `tessera model stain-reference` rewrote the bundled model's metadata (its tensors unchanged), record the
model's new SHA-256 in fixtures/models/default-expected.safetensors, whose stored PyTorch logits were computed from
exactly those tensors (DefaultModelTests checks the two files belong together).

Run: tools/.venv/bin/python tools/stain/update_expected_sha.py
"""

import hashlib
from pathlib import Path

from safetensors import safe_open
from safetensors.numpy import load_file, save_file

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "fixtures" / "models" / "default.safetensors"
EXPECTED = REPO / "fixtures" / "models" / "default-expected.safetensors"

model_tensors = load_file(str(MODEL))
with safe_open(str(REPO / "tools" / "train" / "work" / "initial.safetensors"), "np") as before:
    for name in before.keys():
        assert (before.get_tensor(name) == model_tensors[name]).all(), name
with safe_open(str(EXPECTED), "np") as f:
    metadata = dict(f.metadata())
tensors = load_file(str(EXPECTED))
metadata["model_sha256"] = hashlib.sha256(MODEL.read_bytes()).hexdigest()
save_file(tensors, str(EXPECTED), metadata=metadata)
print("model_sha256", metadata["model_sha256"])
