# Reference values for AdamWTest: torch.optim.AdamW (torch 1.13, Debian's /usr/bin/python3) on two parameters,
# one decayed and one in a no-decay group, three steps with changing learning rates and fixed gradients.
# Run: /usr/bin/python3 adamw_reference.py
import torch

torch.set_printoptions(precision=10)
w = torch.tensor([[0.5, -1.0, 2.0], [0.25, 0.0, -3.0]], dtype=torch.float32, requires_grad=True)
norm = torch.tensor([1.0, 0.5, -0.5], dtype=torch.float32, requires_grad=True)
opt = torch.optim.AdamW([{"params": [w], "weight_decay": 0.1}, {"params": [norm], "weight_decay": 0.0}],
                        lr=0.01, betas=(0.9, 0.95), eps=1e-6)
grads_w = [[[0.1, -0.2, 0.3], [0.0, 1.5, -0.05]], [[-0.3, 0.2, 0.1], [0.2, -1.0, 0.0]], [[1.0, 1.0, -1.0], [0.5, 0.5, 0.5]]]
grads_n = [[0.01, -0.02, 0.5], [0.02, 0.0, -0.5], [-0.01, 0.03, 0.25]]
lrs = [0.01, 0.02, 0.005]
for step in range(3):
    for group in opt.param_groups:
        group["lr"] = lrs[step]
    w.grad = torch.tensor(grads_w[step], dtype=torch.float32)
    norm.grad = torch.tensor(grads_n[step], dtype=torch.float32)
    opt.step()
    print("step", step + 1, "w", [float(x) for x in w.detach().flatten()], "norm", [float(x) for x in norm.detach()])
print("exp_avg w", [float(x) for x in opt.state[w]["exp_avg"].flatten()])
print("exp_avg_sq w", [float(x) for x in opt.state[w]["exp_avg_sq"].flatten()])

# clip_grad_norm_ reference
a = torch.zeros(2, requires_grad=True); a.grad = torch.tensor([3.0, 4.0])
b = torch.zeros(1, requires_grad=True); b.grad = torch.tensor([12.0])
total = torch.nn.utils.clip_grad_norm_([a, b], 6.5)
print("clip total", float(total), "a", [float(x) for x in a.grad], "b", [float(x) for x in b.grad])
