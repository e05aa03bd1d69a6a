using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Optimization;

/// <summary>
/// Base of Forge's optimizers. Written here rather than taken from TorchSharp so that every per-parameter buffer is
/// reachable by name: checkpoints save and restore the exact optimizer state, and distributed training can reason about it.
/// </summary>
public abstract class Optimizer : IDisposable
{
    protected Optimizer(IReadOnlyList<ParamGroup> groups) => Groups = groups;

    public IReadOnlyList<ParamGroup> Groups { get; }

    /// <summary>The group called <paramref name="name"/> (<see cref="ParamGroup.Bias"/>, <see cref="ParamGroup.Weight"/>, ...).</summary>
    /// <exception cref="KeyNotFoundException">No group has that name.</exception>
    public ParamGroup Group(string name) =>
        Groups.FirstOrDefault(g => g.Name == name) ?? throw new KeyNotFoundException($"{Kind} has no parameter group '{name}' (groups: {string.Join(", ", Groups.Select(g => g.Name))})");
    /// <summary>Optimizer steps taken (also Adam's bias-correction step).</summary>
    public long StepCount { get; protected set; }
    public abstract string Kind { get; }

    /// <summary>Per-parameter state buffers keyed "paramName/bufferName".</summary>
    protected readonly Dictionary<string, Tensor> State = new(StringComparer.Ordinal);

    public abstract void Step();

    public void ZeroGrad()
    {
        // Each .grad access wraps the native gradient in a new handle; the scope releases them at once.
        using var scope = NewDisposeScope();
        foreach (var g in Groups)
            foreach (var (_, p) in g.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                grad.zero_();
            }
    }

    /// <summary>The state buffers by name, for checkpoints.</summary>
    public IReadOnlyDictionary<string, Tensor> StateTensors => State;

    /// <summary>Replaces state from a checkpoint; buffers are copied, shapes must match.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, long stepCount)
    {
        foreach (var (key, value) in tensors)
        {
            if (State.TryGetValue(key, out var existing))
            {
                if (!existing.shape.SequenceEqual(value.shape))
                    throw new InvalidDataException($"optimizer state '{key}' has shape [{string.Join(",", value.shape)}], the model needs [{string.Join(",", existing.shape)}]");
                using (no_grad()) existing.copy_(value);
            }
            else State[key] = value.detach().clone().DetachFromDisposeScope();
        }
        StepCount = stepCount;
    }

    protected Tensor Buffer(string paramName, string buffer, Tensor like)
    {
        var key = paramName + "/" + buffer;
        if (!State.TryGetValue(key, out var t))
            State[key] = t = zeros_like(like).DetachFromDisposeScope();
        return t;
    }

    public void Dispose()
    {
        foreach (var t in State.Values) t.Dispose();
        State.Clear();
        GC.SuppressFinalize(this);
    }
}
