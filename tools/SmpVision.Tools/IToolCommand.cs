namespace SmpVision.Tools;

/// <summary>
/// One sub-command of the tools executable. Commands are discovered by reflection so that each
/// lives in its own file under Commands/ and adding one touches nothing else.
/// </summary>
public interface IToolCommand
{
    /// <summary>Name typed on the command line, e.g. "eval-trichoscopy".</summary>
    string Name { get; }

    /// <summary>One line for the help listing, with the arguments.</summary>
    string Usage { get; }

    /// <summary>Runs the command; returns the process exit code.</summary>
    int Run(IReadOnlyList<string> args);
}
