"""Stand-in for LLaMA-Factory's `llamafactory-cli` in the server's training tests.

`train CONFIG.yaml` reads the same YAML keys as LLaMA-Factory and fine-tunes a tiny character
language model with a LoRA adapter on the CPU, on the text of the configured dataset. It writes
the files the server reads from a real run. Progress lines go to stdout, and one JSON record per
logging step goes to `<output_dir>/trainer_log.jsonl`, with the keys LLaMA-Factory 0.9 writes and
None values left out. A `checkpoint-<step>` directory follows every `save_steps`, and the adapter
is saved at the end.

It behaves like LLaMA-Factory where the server depends on it:
- an unknown `template` fails with a Python traceback, as LLaMA-Factory's template lookup does;
- with LLAMABOARD_ENABLED set, SIGABRT stops training after the current step and the adapter is
  still saved (LLaMA-Factory's LogCallback does this for its Web UI's abort button);
- `resume_from_checkpoint` continues from a checkpoint and appends to trainer_log.jsonl, and
  `overwrite_output_dir` deletes an old trainer_log.jsonl first.

The model runs on Debian's python3-torch when it is installed and in plain Python otherwise, so
the tests also run where torch is missing. STANDIN_STEP_DELAY (seconds) slows every step down so
that a test can stop a run midway.
"""

import json
import math
import os
import random
import signal
import sys
import time
from datetime import timedelta

VERSION = "0.9.4"
# Characters the model distinguishes; every other character maps to one extra symbol.
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 \n.,!?'-:;()"
VOCAB = len(ALPHABET) + 1
EMBED = 16
# Each training sample is this many characters of one record: 16 (character, next character) pairs.
SAMPLE_CHARS = 17
# A subset of LLaMA-Factory's template names, enough for the tests and common models.
KNOWN_TEMPLATES = {
    "alpaca", "baichuan2", "chatglm3", "chatml", "deepseek", "deepseek3", "default", "empty",
    "gemma", "glm4", "llama2", "llama3", "mistral", "phi", "qwen", "qwen3", "vicuna", "yi",
}
TRAINER_LOG = "trainer_log.jsonl"


def main(argv):
    if argv[:1] == ["version"]:
        print_banner()
        return 0
    if len(argv) == 2 and argv[0] == "train":
        return train(load_config(argv[1]))
    sys.stderr.write("usage: llamafactory-cli version | llamafactory-cli train CONFIG.yaml\n")
    return 1


def print_banner():
    print("-" * 58)
    print(f"| Welcome to LLaMA Factory, version {VERSION}".ljust(57) + "|")
    print("| (LLM Workbench test stand-in: tiny LoRA on the CPU)".ljust(57) + "|")
    print("-" * 58)


def load_config(path):
    import yaml

    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    if not isinstance(config, dict):
        raise ValueError(f"{path} must contain a YAML mapping of training arguments.")
    return config


class Arguments:
    """The training arguments the stand-in uses, with LLaMA-Factory's names and defaults."""

    def __init__(self, config):
        self.model = require(config, "model_name_or_path")
        self.template = str(config.get("template", "default"))
        if self.template not in KNOWN_TEMPLATES:
            raise ValueError(f"Template {self.template} does not exist.")
        self.datasets = [name.strip() for name in str(require(config, "dataset")).split(",")]
        self.dataset_dir = str(config.get("dataset_dir", "data"))
        self.output_dir = str(require(config, "output_dir"))
        self.learning_rate = float(config.get("learning_rate", 5e-5))
        self.epochs = float(config.get("num_train_epochs", 3.0))
        self.batch_size = int(config.get("per_device_train_batch_size", 8))
        self.accumulation = int(config.get("gradient_accumulation_steps", 1))
        self.rank = int(config.get("lora_rank", 8))
        self.alpha = float(config.get("lora_alpha", 2 * self.rank))
        self.dropout = float(config.get("lora_dropout", 0.0))
        self.scheduler = str(config.get("lr_scheduler_type", "linear"))
        self.warmup_ratio = float(config.get("warmup_ratio", 0.0))
        self.logging_steps = int(config.get("logging_steps", 500))
        self.save_steps = int(config.get("save_steps", 500))
        self.val_size = float(config.get("val_size", 0.0))
        self.eval_steps = int(config.get("eval_steps", self.logging_steps))
        self.resume_from = config.get("resume_from_checkpoint")
        self.overwrite = bool(config.get("overwrite_output_dir", False))
        self.count_tokens = bool(config.get("include_num_input_tokens_seen", False))
        self.swanlab = bool(config.get("use_swanlab", False))
        self.swanlab_project = str(config.get("swanlab_project", "llamafactory"))


def require(config, key):
    if config.get(key) in (None, ""):
        raise ValueError(f"`{key}` is required in the training YAML.")
    return config[key]


def load_texts(args):
    """Returns one text per record of the configured datasets, as dataset_info.json describes them."""
    with open(os.path.join(args.dataset_dir, "dataset_info.json"), encoding="utf-8") as handle:
        info = json.load(handle)
    texts = []
    for name in args.datasets:
        if name not in info:
            raise ValueError(f"Undefined dataset {name} in dataset_info.json.")
        entry = info[name]
        columns = entry.get("columns", {})
        keys = [columns.get("prompt", "instruction"), columns.get("query", "input"),
                columns.get("response", "output")]
        for record in read_records(os.path.join(args.dataset_dir, entry["file_name"])):
            texts.append("\n".join(str(record.get(key) or "") for key in keys))
    if not texts:
        raise ValueError("The dataset has no records.")
    return texts


def read_records(path):
    with open(path, encoding="utf-8") as handle:
        if path.endswith(".jsonl"):
            return [json.loads(line) for line in handle if line.strip()]
        return json.load(handle)


def encode(text):
    return [ALPHABET.index(c) if c in ALPHABET else len(ALPHABET) for c in text.lower()]


def sample_pairs(text, rng):
    """Returns the (character, next character) pairs of one window of a record."""
    ids = encode(text)
    if len(ids) < 2:
        ids = ids + [len(ALPHABET)] * (2 - len(ids))
    start = rng.randrange(max(1, len(ids) - SAMPLE_CHARS + 1))
    window = ids[start:start + SAMPLE_CHARS]
    return list(zip(window[:-1], window[1:]))


def learning_rate_at(args, step, total_steps):
    """Return the scheduled learning rate for a 0-based step, as Hugging Face's schedulers do."""
    warmup = math.ceil(args.warmup_ratio * total_steps)
    if step < warmup:
        return args.learning_rate * (step + 1) / warmup
    if args.scheduler.startswith("constant"):
        return args.learning_rate
    progress = (step - warmup) / max(1, total_steps - warmup)
    if args.scheduler.startswith("cosine"):
        return args.learning_rate * 0.5 * (1.0 + math.cos(math.pi * progress))
    return args.learning_rate * max(0.0, 1.0 - progress)


class PlainModel:
    """The model in plain Python: frozen embeddings and output weights, trainable LoRA A and B."""

    backend = "python"

    def __init__(self, args, rng):
        self.scale = args.alpha / args.rank
        self.dropout = args.dropout
        self.rng = rng
        self.embed = [[rng.gauss(0, 1) for _ in range(EMBED)] for _ in range(VOCAB)]
        weight = [[rng.gauss(0, 0.1) for _ in range(EMBED)] for _ in range(VOCAB)]
        # Frozen, so the base logits of every input character are computed once.
        self.base = [[sum(w * e for w, e in zip(row, emb)) for row in weight] for emb in self.embed]
        self.a = [[rng.uniform(-1, 1) / math.sqrt(EMBED) for _ in range(EMBED)] for _ in range(args.rank)]
        self.b = [[0.0] * args.rank for _ in range(VOCAB)]
        self.adam = AdamState([self.a, self.b])

    def loss_and_gradients(self, pairs, training=True):
        grad_a = [[0.0] * EMBED for _ in self.a]
        grad_b = [[0.0] * len(self.a) for _ in self.b]
        total = 0.0
        for x, y in pairs:
            h = self.embed[x]
            if training and self.dropout > 0:
                keep = 1.0 - self.dropout
                h = [v / keep if self.rng.random() < keep else 0.0 for v in h]
            ah = [sum(w * v for w, v in zip(row, h)) for row in self.a]
            logits = [base + self.scale * sum(w * v for w, v in zip(brow, ah))
                      for base, brow in zip(self.base[x], self.b)]
            top = max(logits)
            exps = [math.exp(v - top) for v in logits]
            norm = sum(exps)
            total += math.log(norm) + top - logits[y]
            if not training:
                continue
            dlogits = [e / norm for e in exps]
            dlogits[y] -= 1.0
            back = [0.0] * len(ah)
            for i, d in enumerate(dlogits):
                if d == 0.0:
                    continue
                brow, grow = self.b[i], grad_b[i]
                for r in range(len(ah)):
                    grow[r] += self.scale * d * ah[r]
                    back[r] += self.scale * d * brow[r]
            for r, g in enumerate(back):
                grow = grad_a[r]
                for k in range(EMBED):
                    grow[k] += g * h[k]
        count = max(1, len(pairs))
        scale = 1.0 / count
        return total / count, [[[g * scale for g in row] for row in grad_a],
                               [[g * scale for g in row] for row in grad_b]]

    def train_step(self, pairs, lr):
        loss, grads = self.loss_and_gradients(pairs)
        self.adam.step([self.a, self.b], grads, lr)
        return loss

    def eval_loss(self, pairs):
        return self.loss_and_gradients(pairs, training=False)[0]

    def state(self):
        return {"backend": self.backend, "a": self.a, "b": self.b, "adam": self.adam.state()}

    def load(self, state):
        self.a, self.b = state["a"], state["b"]
        self.adam.load(state["adam"])


class AdamState:
    """AdamW without weight decay, over lists of lists of floats."""

    def __init__(self, params):
        self.t = 0
        self.m = [[[0.0] * len(row) for row in p] for p in params]
        self.v = [[[0.0] * len(row) for row in p] for p in params]

    def step(self, params, grads, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.t += 1
        c1, c2 = 1 - beta1 ** self.t, 1 - beta2 ** self.t
        for p, g, m, v in zip(params, grads, self.m, self.v):
            for prow, grow, mrow, vrow in zip(p, g, m, v):
                for k, gk in enumerate(grow):
                    mrow[k] = beta1 * mrow[k] + (1 - beta1) * gk
                    vrow[k] = beta2 * vrow[k] + (1 - beta2) * gk * gk
                    prow[k] -= lr * (mrow[k] / c1) / (math.sqrt(vrow[k] / c2) + eps)

    def state(self):
        return {"t": self.t, "m": self.m, "v": self.v}

    def load(self, state):
        self.t, self.m, self.v = state["t"], state["m"], state["v"]


class TorchModel:
    """The same model on torch, with autograd and torch's AdamW."""

    backend = "torch"

    def __init__(self, args, rng, torch):
        self.torch = torch
        torch.manual_seed(rng.randrange(2 ** 31))
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
        self.scale = args.alpha / args.rank
        self.dropout = args.dropout
        self.embed = torch.randn(VOCAB, EMBED)
        self.base = self.embed @ (torch.randn(VOCAB, EMBED) * 0.1).t()
        bound = 1 / math.sqrt(EMBED)
        self.a = torch.empty(args.rank, EMBED).uniform_(-bound, bound).requires_grad_()
        self.b = torch.zeros(VOCAB, args.rank, requires_grad=True)
        self.optimizer = torch.optim.AdamW([self.a, self.b], lr=args.learning_rate, weight_decay=0.0)

    def _loss(self, pairs, training):
        torch = self.torch
        x = torch.tensor([p[0] for p in pairs])
        y = torch.tensor([p[1] for p in pairs])
        h = torch.nn.functional.dropout(self.embed[x], self.dropout, training=training)
        logits = self.base[x] + self.scale * (h @ self.a.t()) @ self.b.t()
        return torch.nn.functional.cross_entropy(logits, y)

    def train_step(self, pairs, lr):
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        loss = self._loss(pairs, True)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return float(loss.item())

    def eval_loss(self, pairs):
        with self.torch.no_grad():
            return float(self._loss(pairs, False).item())

    def state(self):
        return {"backend": self.backend, "a": self.a.detach().tolist(),
                "b": self.b.detach().tolist(), "optimizer": self.optimizer.state_dict()}

    def load(self, state):
        with self.torch.no_grad():
            self.a.copy_(self.torch.tensor(state["a"]))
            self.b.copy_(self.torch.tensor(state["b"]))
        self.optimizer.load_state_dict(state["optimizer"])


def create_model(args, rng):
    try:
        import torch
    except ImportError:
        print("[INFO] torch is not installed; training the tiny LoRA in plain Python.", flush=True)
        return PlainModel(args, rng)
    print(f"[INFO] Training the tiny LoRA on torch {torch.__version__}.", flush=True)
    return TorchModel(args, rng, torch)


class AbortFlag:
    """Set by SIGABRT when LLAMABOARD_ENABLED is set, as in LLaMA-Factory's LogCallback."""

    def __init__(self):
        self.aborted = False
        if os.environ.get("LLAMABOARD_ENABLED", "").lower() in ("1", "true", "y"):
            signal.signal(signal.SIGABRT, self._set)

    def _set(self, signum, frame):
        self.aborted = True


def train(config):
    abort = AbortFlag()
    args = Arguments(config)
    print(f"[INFO] Loading model {args.model} (stand-in: a tiny character model).", flush=True)
    texts = load_texts(args)
    rng = random.Random(0)
    rng.shuffle(texts)
    held_out = int(math.ceil(len(texts) * args.val_size)) if args.val_size > 0 else 0
    eval_texts, train_texts = texts[:held_out], texts[held_out:]
    per_step = args.batch_size * args.accumulation
    steps_per_epoch = max(1, math.ceil(len(train_texts) / args.batch_size) // args.accumulation)
    total_steps = max(1, math.ceil(args.epochs * steps_per_epoch))
    print(f"[INFO] Num examples = {len(train_texts)}, Num Epochs = {args.epochs}, "
          f"Total optimization steps = {total_steps}", flush=True)
    os.makedirs(args.output_dir, exist_ok=True)
    log_path = os.path.join(args.output_dir, TRAINER_LOG)
    if args.overwrite and os.path.exists(log_path):
        os.remove(log_path)
    if args.swanlab:
        run_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(21))
        print("swanlab: Tracking run with swanlab (stand-in, nothing is uploaded)", flush=True)
        print(f"swanlab: View run at https://swanlab.cn/@workbench/{args.swanlab_project}/runs/{run_id}",
              flush=True)

    model = create_model(args, rng)
    start_step = resume(args, model, rng)
    eval_pairs = [pair for text in eval_texts for pair in sample_pairs(text, random.Random(1))]
    run = Run(args, total_steps, steps_per_epoch, log_path)
    delay = float(os.environ.get("STANDIN_STEP_DELAY", "0") or 0)
    window = []
    step = start_step
    while step < total_steps and not abort.aborted:
        lr = learning_rate_at(args, step, total_steps)
        batch = [pair for _ in range(per_step) for pair in sample_pairs(rng.choice(train_texts), rng)]
        window.append(model.train_step(batch, lr))
        run.tokens += len(batch)
        step += 1
        if step % args.logging_steps == 0 or step == total_steps:
            run.log(step, loss=round(sum(window) / len(window), 4), lr=lr)
            window = []
        if eval_pairs and step % args.eval_steps == 0:
            run.log(step, eval_loss=round(model.eval_loss(eval_pairs), 4))
        if step % args.save_steps == 0 and step < total_steps:
            save(os.path.join(args.output_dir, f"checkpoint-{step}"), model, step, rng)
        if delay > 0:
            time.sleep(delay)
    if abort.aborted:
        print(f"[INFO] Training aborted at step {step}; saving the adapter.", flush=True)
    run.log(step)
    save(args.output_dir, model, step, rng)
    print("***** train metrics *****", flush=True)
    print(f"  epoch = {run.epoch(step)}", flush=True)
    print(f"  train_runtime = {run.elapsed():.2f}", flush=True)
    return 0


def resume(args, model, rng):
    """Loads `resume_from_checkpoint` when set and returns the step to continue after."""
    if not args.resume_from:
        return 0
    with open(os.path.join(str(args.resume_from), "adapter_model.json"), encoding="utf-8") as handle:
        state = json.load(handle)
    if state["model"]["backend"] != model.backend:
        raise ValueError(f"The checkpoint was written by the {state['model']['backend']} backend.")
    if model.backend == "torch":
        state["model"]["optimizer"] = model.torch.load(
            os.path.join(str(args.resume_from), "optimizer.pt"))
    model.load(state["model"])
    rng.setstate(tuple(state["rng"][:1]) + (tuple(state["rng"][1]),) + tuple(state["rng"][2:]))
    print(f"[INFO] Resuming training from {args.resume_from} at step {state['step']}.", flush=True)
    return state["step"]


def save(directory, model, step, rng):
    os.makedirs(directory, exist_ok=True)
    state = model.state()
    if model.backend == "torch":
        model.torch.save(state.pop("optimizer"), os.path.join(directory, "optimizer.pt"))
    with open(os.path.join(directory, "adapter_model.json"), "w", encoding="utf-8") as handle:
        json.dump({"step": step, "model": state, "rng": rng.getstate()}, handle)
    with open(os.path.join(directory, "adapter_config.json"), "w", encoding="utf-8") as handle:
        json.dump({"peft_type": "LORA", "r": len(state["a"])}, handle)
    print(f"[INFO] Saving model checkpoint to {directory}", flush=True)


class Run:
    """Timing and the trainer log, written the way LLaMA-Factory's LogCallback writes it."""

    def __init__(self, args, total_steps, steps_per_epoch, log_path):
        self.args = args
        self.total_steps = total_steps
        self.steps_per_epoch = steps_per_epoch
        self.log_path = log_path
        self.started = time.time()
        self.tokens = 0

    def elapsed(self):
        return time.time() - self.started

    def epoch(self, step):
        return round(step / self.steps_per_epoch, 2)

    def log(self, step, **values):
        elapsed = self.elapsed()
        remaining = (self.total_steps - step) * elapsed / step if step else 0
        record = {
            "current_steps": step,
            "total_steps": self.total_steps,
            **values,
            "epoch": self.epoch(step),
            "percentage": round(step / self.total_steps * 100, 2),
            "elapsed_time": str(timedelta(seconds=int(elapsed))),
            "remaining_time": str(timedelta(seconds=int(remaining))),
        }
        if self.args.count_tokens and self.tokens:
            record["throughput"] = round(self.tokens / max(elapsed, 1e-6), 2)
            record["total_tokens"] = self.tokens
        with open(self.log_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        if values:
            print(f"{values} step {step}/{self.total_steps}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
