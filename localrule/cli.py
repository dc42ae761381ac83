"""Command line: ``python -m localrule train | attack | bench | reproduce`` (see README).

With ``--json`` the last line printed is one JSON object, for scripts.
"""

import argparse
import json
import sys
import time

import numpy as np

from localrule.experiments import EPS_GRID
from localrule.tasks import DATASETS, RULES, parse_class, task_name, train_task


def _add_task_arguments(parser):
    parser.add_argument("--dataset", choices=DATASETS, default="mnist")
    parser.add_argument("--classes", nargs=2, metavar=("A", "B"), default=None,
                        help="the two classes: digits for mnist, names or 0..2 for iris "
                             "(default: 3 5 for mnist, versicolor virginica for iris)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="passes over the training set (default: 10 mnist, 100 iris)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hidden", type=int, nargs="+", default=None,
                        help="hidden layer widths (default: 100 100 mnist, 16 16 iris)")
    parser.add_argument("--source", choices=("bundled", "full"), default="bundled",
                        help="MNIST source: the 5,000 bundled digits or the full 70,000 "
                             "(downloaded once, hash-checked)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")


def _classes(args):
    if args.classes is not None:
        return tuple(parse_class(args.dataset, c) for c in args.classes)
    return ("3", "5") if args.dataset == "mnist" else ("versicolor", "virginica")


def _train(args, rule, data=None, eta=None):
    start = time.perf_counter()
    net, history, data = train_task(args.dataset, _classes(args), rule, seed=args.seed,
                                    epochs=args.epochs, hidden=args.hidden, source=args.source,
                                    data=data, eta=eta, progress=not args.json)
    return net, history, data, time.perf_counter() - start


def cmd_train(args):
    net, history, _, seconds = _train(args, args.rule, eta=args.eta)
    result = {"command": "train", "dataset": args.dataset, "classes": list(_classes(args)),
              "rule": args.rule, "epochs": history.epochs, "seed": args.seed,
              "sizes": list(net.sizes), "source": args.source,
              "test_accuracy": history.test_accuracy[-1],
              "train_accuracy": history.train_accuracy[-1], "train_seconds": seconds}
    print(f"{task_name(args.dataset, _classes(args))}, rule {args.rule}, sizes {net.sizes}: "
          f"test accuracy {result['test_accuracy']:.4f} after {history.epochs} epochs "
          f"({seconds:.2f} s)")
    if args.save:
        net.save(args.save)
        print(f"saved to {args.save}")
    return result


def cmd_attack(args):
    from localrule.attacks import robustness_curve

    eps = [float(e) for e in args.eps]
    result = {"command": "attack", "dataset": args.dataset, "classes": list(_classes(args)),
              "attack": args.attack, "eps": eps, "seed": args.seed,
              "clean_accuracy": {}, "adversarial_accuracy": {}}
    data = None
    print(f"{task_name(args.dataset, _classes(args))}: {args.attack} accuracy by eps")
    for rule in RULES:
        net, _, data, _ = _train(args, rule, data=data)
        X_test, y_test = data[2], data[3]
        curve = robustness_curve(net, X_test, y_test, eps, attack=args.attack, seed=args.seed)
        result["clean_accuracy"][rule] = net.score(X_test, y_test)
        result["adversarial_accuracy"][rule] = {f"{e:g}": float(a) for e, a in zip(eps, curve)}
        shown = "  ".join(f"eps {e:g}: {a:.3f}" for e, a in zip(eps, curve))
        print(f"  {rule:<5} clean {result['clean_accuracy'][rule]:.3f}  {shown}")
    return result


def cmd_bench(args):
    from localrule import bench

    result = bench.run(repeats=args.repeats)
    print(bench.report(result))
    return result


def cmd_reproduce(args):
    from localrule.reproduce import reproduce

    return reproduce(out=args.out, quick=args.quick, seeds=args.seeds, source=args.source,
                     pairs=args.pairs, eps=[float(e) for e in args.eps], force=args.force,
                     progress=not args.json)


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m localrule", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train one network and report its test accuracy")
    _add_task_arguments(train)
    train.add_argument("--rule", choices=RULES, default="local")
    train.add_argument("--eta", type=float, default=None, help="learning rate (default: per task)")
    train.add_argument("--save", default=None, help="write the trained network to this .npz")
    train.set_defaults(run=cmd_train)

    attack = sub.add_parser("attack", help="train both rules, then attack both")
    _add_task_arguments(attack)
    attack.add_argument("--eps", nargs="+", default=["0.05", "0.1"], help="attack sizes in [0, 1]")
    attack.add_argument("--attack", choices=("fgsm", "pgd", "noise"), default="fgsm")
    attack.set_defaults(run=cmd_attack)

    bench = sub.add_parser("bench", help="measure speed ratios in one run")
    bench.add_argument("--repeats", type=int, default=5)
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(run=cmd_bench)

    reproduce = sub.add_parser("reproduce", help="measure the paper's claims: results.csv, "
                                                 "summary.md and figures in --out")
    reproduce.add_argument("--quick", action="store_true",
                           help="tasks 3v5, 0v1, versicolor-virginica, fewer epochs, attacks on "
                                "100 test samples: under 2 minutes")
    reproduce.add_argument("--seeds", type=int, default=None, metavar="N",
                           help="seeds 0..N-1 per task (default: 5, or 2 with --quick)")
    reproduce.add_argument("--source", choices=("bundled", "full"), default="bundled",
                           help="MNIST source: the 5,000 bundled digits or the full 70,000")
    reproduce.add_argument("--out", default="reproduce_out", metavar="DIR",
                           help="output folder (default: reproduce_out)")
    reproduce.add_argument("--force", action="store_true",
                           help="recompute finished runs instead of reusing them")
    reproduce.add_argument("--pairs", nargs="+", default=None, metavar="PAIR",
                           help="tasks such as 3v5 (MNIST digits) or versicolor-virginica "
                                "(IRIS) (default: 0v1 3v5 4v9 7v9 2v3 and the three IRIS pairs)")
    reproduce.add_argument("--eps", nargs="+", default=[f"{e:g}" for e in EPS_GRID],
                           help="attack sizes in [0, 1]")
    reproduce.add_argument("--json", action="store_true", help="end with one JSON line")
    reproduce.set_defaults(run=cmd_reproduce)
    return parser


def _check_eps_arguments(parser, args):
    for e in getattr(args, "eps", []):
        try:
            value = float(e)
        except ValueError:
            parser.error(f"--eps: {e!r} is not a number")
        if not 0.0 <= value <= 1.0:
            parser.error(f"--eps: values must lie in [0, 1], got {e}")


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_eps_arguments(parser, args)
    try:
        result = args.run(args)
    except (ValueError, TypeError) as exc:
        parser.exit(2, f"{parser.prog} {args.command}: error: {exc}\n")
    if args.json:
        print(json.dumps(result, default=lambda o: o.item() if isinstance(o, np.generic) else o))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
