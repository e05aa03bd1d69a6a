namespace Forge.Distributed;

/// <summary>An MPI call returned an error. Names the call and the rank so a failure in a multi-process log can be traced.</summary>
public sealed class MpiException : Exception
{
    public string Call { get; }
    public int Rank { get; }
    public int ErrorCode { get; }

    public MpiException(string call, int rank, int errorCode, string detail)
        : base($"{call} failed on rank {rank}: {detail}")
    {
        Call = call;
        Rank = rank;
        ErrorCode = errorCode;
    }
}
