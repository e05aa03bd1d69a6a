using Forge.Torch;

namespace Forge.Models.Tests;

/// <summary>
/// <see cref="ChannelsLastTrialProcess"/>'s side of the protocol with a stand-in child (a bash script, so the behaviour does
/// not depend on this CPU): verdict lines become verdicts, a child killed by a signal marks the shape it was trying as wrong
/// and a new child tries the rest, a child that fails before any verdict is an error naming its exit code and message.
/// </summary>
public sealed class ChannelsLastTrialProcessTests
{
    static readonly ChannelsLastCheck.ConvShape Small = new(16, 16, 3, 3, 1, 1, 1, 1);
    static readonly ChannelsLastCheck.ConvShape Logits = new(80, 80, 1, 1, 1, 0, 1, 1);
    static readonly ChannelsLastCheck.ConvShape Wide = new(1024, 512, 1, 1, 1, 0, 1, 1);
    static readonly ChannelsLastCheck.ConvShape Neck = new(64, 64, 1, 1, 1, 0, 1, 1);

    /// <summary>A child that answers "ok" for every shape but "wrong" for 80 outputs, and kills itself with SIGFPE on a
    /// 1024-input shape (as libtorch did on the CPU of <see cref="ChannelsLastCheck"/>), after the shapes before it.</summary>
    static ChannelsLastTrialProcess FakeChild(string script) => new("/bin/bash", ["-c", script, "trial"]);

    const string Answers = """
        for a in "$@"; do
          case "$a" in
            1024,*) kill -FPE $$ ;;
            80,80,*) echo "$a wrong" ;;
            *) echo "$a ok" ;;
          esac
        done
        """;

    [Fact]
    public void A_child_killed_while_trying_a_shape_marks_it_wrong_and_a_new_child_tries_the_rest()
    {
        var verdicts = FakeChild(Answers).Try([Small, Logits, Wide, Neck]);
        Assert.Equal(4, verdicts.Count);
        Assert.True(verdicts[Small]);
        Assert.False(verdicts[Logits]);
        Assert.False(verdicts[Wide]);
        Assert.True(verdicts[Neck]);   // after the kill: only a new child could have answered it
    }

    [Fact]
    public void Shapes_after_a_killing_shape_are_tried_once_each_and_a_kill_first_is_no_error()
    {
        string log = Path.Combine(Path.GetTempPath(), $"forge-trial-{Environment.ProcessId}-{Guid.NewGuid():N}.log");
        try
        {
            var verdicts = FakeChild($"echo \"$@\" >> '{log}'\n" + Answers).Try([Wide, Small, Wide, Neck]);
            Assert.Equal([false, true, true], new[] { verdicts[Wide], verdicts[Small], verdicts[Neck] });
            // Two children: all distinct shapes, then the ones after the shape that killed the first.
            Assert.Equal([$"{Wide.ToArgument()} {Small.ToArgument()} {Neck.ToArgument()}", $"{Small.ToArgument()} {Neck.ToArgument()}"],
                         File.ReadAllLines(log));
        }
        finally { File.Delete(log); }
    }

    [Fact]
    public void A_child_that_fails_before_any_verdict_is_an_error_with_its_message()
    {
        var e = Assert.Throws<InvalidOperationException>(() => FakeChild("echo 'no such mode' >&2; exit 2").Try([Small]));
        Assert.Contains("exited with code 2", e.Message);
        Assert.Contains("no such mode", e.Message);
        Assert.Contains(Small.ToString(), e.Message);
    }

    [Fact]
    public void A_child_that_cannot_start_is_an_error_naming_it()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ChannelsLastTrialProcess("/nonexistent/forge", ["trial"]).Try([Small]));
        Assert.Contains("could not start the channels_last trial process /nonexistent/forge", e.Message);
    }

    [Fact]
    public void A_shape_survives_its_argument_form_and_malformed_ones_are_refused()
    {
        var grouped = new ChannelsLastCheck.ConvShape(64, 64, 3, 3, 2, 1, 1, 64);
        Assert.Equal(grouped, ChannelsLastCheck.ConvShape.Parse(grouped.ToArgument()));
        Assert.Equal("80,80,1,1,1,0,1,1", Logits.ToArgument());
        foreach (var bad in new[] { "80,80,1,1,1,0,1", "80,80,1,1,0,0,1,1", "80,x,1,1,1,0,1,1", "80,80,1,1,1,-1,1,1" })
            Assert.Throws<FormatException>(() => ChannelsLastCheck.ConvShape.Parse(bad));
    }

    [Fact]
    public void RunTrials_writes_one_verdict_line_per_shape_and_refuses_a_malformed_one()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, ChannelsLastCheck.RunTrials([Small.ToArgument()], output, error));
        Assert.Equal($"{Small.ToArgument()} ok", output.ToString().Trim());   // 3x3 convolutions were right on every CPU measured
        Assert.Equal(2, ChannelsLastCheck.RunTrials(["1,2"], output, error));
        Assert.Contains("'1,2' is not a convolution shape", error.ToString());
    }
}
