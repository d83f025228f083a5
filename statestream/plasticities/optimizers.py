"""Optimizers: gradients -> parameter deltas, on the host in numpy float32.

Every optimizer works per trained parameter in listing order, keeps its state in the
plasticity's ``variables`` (updated in place) and reads its settings from ``hyper``.
"""
from __future__ import annotations

import math

import numpy as np

F32 = np.float32


def var_suffix(key) -> str:
    """``(owner, pname)`` -> ``owner.pname`` (variable names: ``grad.owner.pname`` ...)."""
    return f"{key[0]}.{key[1]}"


def _number(plast, key, default):
    value = plast.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return float(default)


def _setting(hyper, defaults, name) -> float:
    return float(hyper.get(name, defaults[name][0]))


class GradDesc:
    """``delta = -lr * g`` (no clipping)."""

    def __init__(self, plast):
        self.hyper = {"lr": (_number(plast, "lr", 1e-3), 0.0, None)}

    def variables(self, shapes: dict) -> dict:
        return {}

    def deltas(self, grads: dict, hyper: dict, variables: dict) -> dict:
        lr = F32(_setting(hyper, self.hyper, "lr"))
        return {key: (-lr * g).astype(F32) for key, g in grads.items()}


class Adam:
    """Standard Adam with bias correction; ``momentum``/``decay`` are read as beta1/beta2."""

    def __init__(self, plast):
        beta1 = plast.get("beta1") if plast.get("beta1") is not None else plast.get("momentum")
        beta2 = plast.get("beta2") if plast.get("beta2") is not None else plast.get("decay")
        self.hyper = {
            "lr": (_number(plast, "lr", 1e-3), 0.0, None),
            "beta1": (0.9 if beta1 is None else float(beta1), 0.0, 1.0),
            "beta2": (0.999 if beta2 is None else float(beta2), 0.0, 1.0),
            "eps": (_number(plast, "eps", 1e-8), 0.0, None),
        }

    def variables(self, shapes: dict) -> dict:
        out = {"t": ()}
        for key, shape in shapes.items():
            out[f"m.{var_suffix(key)}"] = shape
            out[f"v.{var_suffix(key)}"] = shape
        return out

    def deltas(self, grads: dict, hyper: dict, variables: dict) -> dict:
        lr, beta1, beta2, eps = (_setting(hyper, self.hyper, n)
                                 for n in ("lr", "beta1", "beta2", "eps"))
        t = variables["t"]
        t[...] = t + F32(1)
        steps = float(t)
        # bias corrections in double, then float32; max() keeps beta = 1 finite (m stays 0)
        fix1 = F32(max(1.0 - math.pow(beta1, steps), 1e-30))
        fix2 = F32(max(1.0 - math.pow(beta2, steps), 1e-30))
        b1, b2, c1, c2 = F32(beta1), F32(beta2), F32(1.0 - beta1), F32(1.0 - beta2)
        neg_lr, eps32 = -F32(lr), F32(eps)
        out = {}
        for key, g in grads.items():  # in place, each operation as in the formula's order:
            m, v = variables[f"m.{var_suffix(key)}"], variables[f"v.{var_suffix(key)}"]
            tmp = np.multiply(g, c1)  # m = b1 m + c1 g
            np.multiply(m, b1, out=m)
            np.add(m, tmp, out=m)
            np.multiply(g, g, out=tmp)  # v = b2 v + c2 g^2
            np.multiply(tmp, c2, out=tmp)
            np.multiply(v, b2, out=v)
            np.add(v, tmp, out=v)
            step = np.divide(m, fix1)  # delta = -lr (m / fix1) / (sqrt(v / fix2) + eps)
            np.divide(v, fix2, out=tmp)
            np.sqrt(tmp, out=tmp)
            np.add(tmp, eps32, out=tmp)
            np.divide(step, tmp, out=step)
            out[key] = np.multiply(step, neg_lr, out=step).astype(F32, copy=False)
        return out


class RMSProp:
    """``a = rho a + (1 - rho) g^2``, ``delta = -lr g / (sqrt(a) + eps)``."""

    def __init__(self, plast):
        self.hyper = {
            "lr": (_number(plast, "lr", 1e-3), 0.0, None),
            "rho": (_number(plast, "rho", 0.9), 0.0, 1.0),
            "eps": (_number(plast, "eps", 1e-7), 0.0, None),
        }

    def variables(self, shapes: dict) -> dict:
        return {f"a.{var_suffix(key)}": shape for key, shape in shapes.items()}

    def deltas(self, grads: dict, hyper: dict, variables: dict) -> dict:
        lr, rho, eps = (_setting(hyper, self.hyper, n) for n in ("lr", "rho", "eps"))
        keep, add = F32(rho), F32(1.0 - rho)
        out = {}
        for key, g in grads.items():
            a = variables[f"a.{var_suffix(key)}"]
            a[...] = keep * a + add * (g * g)
            out[key] = (-F32(lr) * g / (np.sqrt(a) + F32(eps))).astype(F32)
        return out


OPTIMIZERS = {"grad_desc": GradDesc, "adam": Adam, "rmsprop": RMSProp}


def build_optimizer(plast):
    return OPTIMIZERS[plast.optimizer](plast)


__all__ = ["OPTIMIZERS", "GradDesc", "Adam", "RMSProp", "build_optimizer", "var_suffix"]
