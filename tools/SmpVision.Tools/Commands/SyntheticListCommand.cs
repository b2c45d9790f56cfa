using System.Globalization;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Tools.Commands;

/// <summary>
/// <c>list-synthetic</c>: the hair colour and skin ITA of a preset's frames, from the spec only (no
/// rendering, no analysis): finds frames of one hair colour among many seeds in a moment (session 13).
/// </summary>
internal sealed class SyntheticListCommand : IToolCommand
{
    public string Name => "list-synthetic";

    public string Usage => "list-synthetic --synthetic PRESET --seed S --count N [--colour NAME]";

    public int Run(IReadOnlyList<string> args)
    {
        string preset = "mixed";
        int seed = 1;
        int count = 1;
        string? colour = null;
        for (var i = 0; i < args.Count - 1; i++)
        {
            switch (args[i])
            {
                case "--synthetic": preset = args[++i]; break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--count": count = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--colour": colour = args[++i]; break;
                default: break;
            }
        }

        for (int s = seed; s < seed + count; s++)
        {
            var spec = SyntheticPresets.Create(preset, s);
            if (colour is not null && !string.Equals(spec.HairColour.ToString(), colour, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {s}: {spec.HairColour} hair, skin ITA {spec.SkinItaDegrees:F0}"));
        }

        return 0;
    }
}
