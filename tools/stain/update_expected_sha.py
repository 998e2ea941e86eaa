"""After the bundled model's metadata was rewritten with its tensors unchanged (`tessera model stain-reference`, or
an added `training` note), record the model's new SHA-256 in fixtures/models/default-expected.safetensors.

The stored PyTorch logits must still belong to the model: they are recomputed here from the model's (float16)
weights for the stored tiles and must match to 1e-4 (DefaultModelTests then checks the two files belong together
by the SHA-256).

Run: tools/.venv/bin/python tools/stain/update_expected_sha.py [--model M --expected E]
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
from safetensors.torch import load_file as load_torch

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "train"))
import common  # noqa: E402

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--model", type=Path, default=REPO / "fixtures" / "models" / "default.safetensors")
p.add_argument("--expected", type=Path, default=REPO / "fixtures" / "models" / "default-expected.safetensors")
args = p.parse_args()

model = common.build_model()
missing, unexpected = model.load_state_dict({k: v.float() for k, v in load_torch(str(args.model)).items()}, strict=False)
assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
model.eval()
with safe_open(str(args.expected), "np") as f:
    metadata = dict(f.metadata())
tensors = load_file(str(args.expected))
with torch.no_grad():
    for case in json.loads(metadata["cases"]):
        rgb = torch.from_numpy(tensors[f"{case['name']}.rgb"])[None]
        error = (model(common.normalise(rgb)) - torch.from_numpy(tensors[f"{case['name']}.logits"])).abs().max().item()
        assert error < 1e-4, f"{case['name']}: the stored logits are not this model's (max |error| {error})"
        print(f"{case['name']}: stored logits reproduced, max |error| {error:.2e}")
metadata["model_sha256"] = hashlib.sha256(args.model.read_bytes()).hexdigest()
save_file(tensors, str(args.expected), metadata=metadata)
print("model_sha256", metadata["model_sha256"])
