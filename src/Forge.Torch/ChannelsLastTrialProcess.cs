using System.Diagnostics;
using System.Reflection;

namespace Forge.Torch;

/// <summary>
/// Runs <see cref="ChannelsLastCheck"/>'s trials in a child process, for CPUs on which a trial may stop the process (a
/// division by zero in libtorch's channels_last kernels, <see cref="ChannelsLastCheck"/>). The child is this program again
/// with a trial mode (the forge CLI's <c>channels-last-trial</c>, which calls <see cref="ChannelsLastCheck.RunTrials"/>): it
/// prints one verdict line per shape, flushed before the next trial, so when it dies the first shape without a line is the
/// one that killed it. That shape counts as wrong and the remaining shapes are tried in a new child.
/// </summary>
/// <param name="FileName">The program to start (the dotnet host or an apphost).</param>
/// <param name="Arguments">The arguments before the shapes (e.g. the CLI's dll and its trial mode).</param>
public sealed record ChannelsLastTrialProcess(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The child process <see cref="ChannelsLastCheck"/> uses on CPUs that describe no caches; null (the default) in a
    /// process that did not register one (a library host, the tests' in-process CLI), which then runs NCHW on such a CPU.</summary>
    public static ChannelsLastTrialProcess? Current { get; set; }

    /// <summary>
    /// This program with <paramref name="mode"/> as its first argument: <c>dotnet ENTRY.dll mode</c> when it runs under the
    /// dotnet host, <c>APPHOST mode</c> otherwise. Null when the program's path or entry assembly is unknown.
    /// </summary>
    public static ChannelsLastTrialProcess? ForThisProgram(string mode)
    {
        string? host = Environment.ProcessPath;
        string? entry = Assembly.GetEntryAssembly()?.Location;
        if (string.IsNullOrEmpty(host)) return null;
        bool dotnetHost = Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        if (!dotnetHost) return new ChannelsLastTrialProcess(host, [mode]);
        return string.IsNullOrEmpty(entry) ? null : new ChannelsLastTrialProcess(host, [entry, mode]);
    }

    /// <summary>
    /// Each shape's verdict: true when its channels_last forward and backward agree with NCHW, false when they do not or when
    /// trying it stopped the child (a signal, or an exit before its line).
    /// </summary>
    /// <exception cref="InvalidOperationException">The child could not be started, or ended without any verdict and without being
    /// killed by a signal (a usage error; its standard error in the message).</exception>
    public IReadOnlyDictionary<ChannelsLastCheck.ConvShape, bool> Try(IReadOnlyList<ChannelsLastCheck.ConvShape> shapes)
    {
        var verdicts = new Dictionary<ChannelsLastCheck.ConvShape, bool>();
        var remaining = shapes.Distinct().ToList();
        while (remaining.Count > 0)
        {
            var (lines, exitCode, error) = Start(remaining.Select(s => s.ToArgument()));
            foreach (var line in lines)
            {
                var parts = line.Split(' ');
                if (parts.Length == 2 && parts[1] is "ok" or "wrong")
                    verdicts[ChannelsLastCheck.ConvShape.Parse(parts[0])] = parts[1] == "ok";
            }
            int answered = remaining.TakeWhile(verdicts.ContainsKey).Count();
            if (answered == remaining.Count) break;
            if (answered == 0 && exitCode is >= 0 and < 128)
                throw new InvalidOperationException($"the channels_last trial process ({FileName} {string.Join(' ', Arguments)}) exited with " +
                                                    $"code {exitCode} before trying {remaining[0]}: {error.Trim()}");
            verdicts[remaining[answered]] = false;   // it died trying this shape
            remaining = remaining.Skip(answered + 1).Where(s => !verdicts.ContainsKey(s)).ToList();
        }
        return verdicts;
    }

    (List<string> Lines, int ExitCode, string Error) Start(IEnumerable<string> shapeArguments)
    {
        var info = new ProcessStartInfo(FileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in Arguments.Concat(shapeArguments)) info.ArgumentList.Add(a);
        // libtorch may pick its kernels by thread count: the child runs with this process's intra-op threads.
        info.Environment["OMP_NUM_THREADS"] = TorchSharp.torch.get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Process? started;
        try { started = Process.Start(info); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"could not start the channels_last trial process {FileName}: {e.Message}", e);
        }
        using var process = started ?? throw new InvalidOperationException($"could not start the channels_last trial process {FileName}");
        var error = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line) lines.Add(line);
        process.WaitForExit();
        return (lines, process.ExitCode, error.Result);
    }
}
