"""ONNX Runtime backend: the decoder as one ONNX graph built with ``onnx.helper``.

One graph serves prefill and decode: it takes ``input_ids`` [B, T] and every layer's past keys and
values [B, H, P, hd] (P = 0 for a prompt), and returns the last position's logits and the present
keys and values [B, H, P+T, hd], which the next step feeds back. The causal mask is built in the graph
from P and T. Standard ONNX ops only (opset 20, for tanh-GELU), so ORT's optimiser fuses what it knows.
"""

import numpy as np

from catalog.benchmark.backends.base import Backend, BackendUnavailable, KVCache
from catalog.benchmark.config import LAYER_NORM_EPS

OPSET = 20


def _import():
    try:
        import onnx
        import onnxruntime
    except ImportError as error:
        raise BackendUnavailable(f"ONNX Runtime is not installed ({error.name} missing)") from error
    return onnx, onnxruntime


def build_model(config, weights):
    """The decoder as an onnx.ModelProto with the weights as initializers."""
    onnx, _ = _import()
    from onnx import TensorProto, helper, numpy_helper

    nodes, initializers = [], []

    def const(name, value, dtype=np.int64):
        initializers.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(op, inputs, output, **attributes):
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    for name, value in weights.items():
        initializers.append(numpy_helper.from_array(value, name))
    d, heads, head_dim = config.d_model, config.n_heads, config.head_dim
    const("zero", 0)
    const("one", 1)
    const("heads_shape", [0, 0, heads, head_dim])
    const("model_shape", [0, 0, d])
    const("split_qkv", [d, d, d])
    const("scale", 1.0 / np.sqrt(head_dim), np.float32)
    const("masked", -np.inf, np.float32)
    const("open", 0.0, np.float32)

    # Positions and the causal mask: queries sit at P..P+T-1 and see keys 0..their own position.
    node("Shape", ["past_key_0"], "past_len_1d", start=2, end=3)
    node("Shape", ["input_ids"], "steps_1d", start=1, end=2)
    node("Squeeze", ["past_len_1d"], "past_len")
    node("Squeeze", ["steps_1d"], "steps")
    node("Add", ["past_len", "steps"], "total")
    node("Range", ["past_len", "total", "one"], "query_pos")
    node("Range", ["zero", "total", "one"], "key_pos")
    node("Unsqueeze", ["query_pos", "one"], "query_col")
    node("Unsqueeze", ["key_pos", "zero"], "key_row")
    node("LessOrEqual", ["key_row", "query_col"], "visible")
    node("Where", ["visible", "open", "masked"], "mask")  # [T, P+T]

    node("Gather", ["wte", "input_ids"], "tok_emb")
    node("Gather", ["wpe", "query_pos"], "pos_emb")
    x = node("Add", ["tok_emb", "pos_emb"], "x_in")

    def heads_first(name, out):
        node("Reshape", [name, "heads_shape"], out + "_bthd")
        return node("Transpose", [out + "_bthd"], out, perm=[0, 2, 1, 3])

    outputs = []
    for layer in range(config.n_layers):
        p = f"h{layer}."
        h = node("LayerNormalization", [x, p + "ln1.g", p + "ln1.b"], p + "ln1", axis=-1, epsilon=LAYER_NORM_EPS)
        node("MatMul", [h, p + "attn.w_qkv"], p + "qkv_mm")
        node("Add", [p + "qkv_mm", p + "attn.b_qkv"], p + "qkv")
        nodes.append(helper.make_node("Split", [p + "qkv", "split_qkv"], [p + "q", p + "k", p + "v"], axis=2))
        q = heads_first(p + "q", p + "q_h")
        k = heads_first(p + "k", p + "k_h")
        v = heads_first(p + "v", p + "v_h")
        keys = node("Concat", [f"past_key_{layer}", k], f"present_key_{layer}", axis=2)
        values = node("Concat", [f"past_value_{layer}", v], f"present_value_{layer}", axis=2)
        outputs += [keys, values]
        node("Mul", [q, "scale"], p + "q_scaled")
        node("Transpose", [keys], p + "keys_t", perm=[0, 1, 3, 2])
        node("MatMul", [p + "q_scaled", p + "keys_t"], p + "scores_raw")
        node("Add", [p + "scores_raw", "mask"], p + "scores")
        node("Softmax", [p + "scores"], p + "probs", axis=-1)
        node("MatMul", [p + "probs", values], p + "attended_h")
        node("Transpose", [p + "attended_h"], p + "attended_t", perm=[0, 2, 1, 3])
        node("Reshape", [p + "attended_t", "model_shape"], p + "attended")
        node("MatMul", [p + "attended", p + "attn.w_out"], p + "attn_mm")
        node("Add", [p + "attn_mm", p + "attn.b_out"], p + "attn_out")
        x = node("Add", [x, p + "attn_out"], p + "x_attn")
        h = node("LayerNormalization", [x, p + "ln2.g", p + "ln2.b"], p + "ln2", axis=-1, epsilon=LAYER_NORM_EPS)
        node("MatMul", [h, p + "mlp.w_in"], p + "fc_mm")
        node("Add", [p + "fc_mm", p + "mlp.b_in"], p + "fc")
        node("Gelu", [p + "fc"], p + "fc_act", approximate="tanh")
        node("MatMul", [p + "fc_act", p + "mlp.w_out"], p + "proj_mm")
        node("Add", [p + "proj_mm", p + "mlp.b_out"], p + "mlp_out")
        x = node("Add", [x, p + "mlp_out"], p + "x_out")

    # Only the last position needs logits.
    node("Sub", ["steps", "one"], "last_index")
    node("Gather", [x, "last_index"], "x_last", axis=1)
    node("LayerNormalization", ["x_last", "ln_f.g", "ln_f.b"], "ln_f", axis=-1, epsilon=LAYER_NORM_EPS)
    node("MatMul", ["ln_f", "lm_head"], "logits")

    cache_shape = ["batch", heads, "past", head_dim]
    present_shape = ["batch", heads, "total", head_dim]
    graph = helper.make_graph(
        nodes,
        f"landscape-{config.name}",
        inputs=[helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "steps"])]
        + [
            helper.make_tensor_value_info(f"past_{kind}_{layer}", TensorProto.FLOAT, cache_shape)
            for layer in range(config.n_layers)
            for kind in ("key", "value")
        ],
        outputs=[helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", config.vocab_size])]
        + [helper.make_tensor_value_info(name, TensorProto.FLOAT, present_shape) for name in outputs],
        initializer=initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="landscape")
    model.ir_version = 9  # readable by every ONNX Runtime from 1.16
    onnx.checker.check_model(model)
    return model


class OnnxRuntimeBackend(Backend):
    name = "onnxruntime"
    devices = ("cpu", "cuda")
    PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider"}

    @classmethod
    def check_available(cls, device):
        super().check_available(device)
        _, onnxruntime = _import()
        if cls.PROVIDERS[device] not in onnxruntime.get_available_providers():
            raise BackendUnavailable(
                f"ONNX Runtime here has no {cls.PROVIDERS[device]} (onnxruntime-gpu not installed)"
            )

    @classmethod
    def version(cls):
        try:
            return _import()[1].__version__
        except BackendUnavailable:
            return None

    def prepare(self):
        _, onnxruntime = _import()
        model_bytes = build_model(self.config, self.weights).SerializeToString()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "1")
        self.session = onnxruntime.InferenceSession(model_bytes, options, providers=[self.PROVIDERS[self.device]])
        self.cache_names = [
            f"past_{kind}_{layer}" for layer in range(self.config.n_layers) for kind in ("key", "value")
        ]
        self.output_names = ["logits"] + [name.replace("past", "present") for name in self.cache_names]

    def _run(self, tokens, caches):
        feeds = {"input_ids": tokens, **dict(zip(self.cache_names, caches, strict=True))}
        logits, *present = self.session.run(self.output_names, feeds)
        return logits, KVCache(keys=present[0::2], values=present[1::2], length=present[0].shape[2])

    def prefill(self, tokens, capacity):
        cfg = self.config
        empty = np.zeros((tokens.shape[0], cfg.n_heads, 0, cfg.head_dim), np.float32)
        return self._run(tokens, [empty] * (2 * cfg.n_layers))

    def decode(self, tokens, cache):
        caches = [tensor for pair in zip(cache.keys, cache.values, strict=True) for tensor in pair]
        return self._run(tokens[:, None], caches)
