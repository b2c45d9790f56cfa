using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.ModalityDetection;

/// <summary>One measured cue of the modality decision.</summary>
/// <param name="Name">Cue name, e.g. "block-colour-spread".</param>
/// <param name="Value">Measured value in the cue's own unit (CIELAB distance, fraction, L*).</param>
/// <param name="ScoreUnits">Signed contribution to the score: positive favours overhead, clipped.</param>
public sealed record ModalityCue(string Name, double Value, double ScoreUnits);

/// <summary>The detected modality, how sure the detector is, and the cues behind it.</summary>
/// <param name="Modality">Trichoscopy or Overhead.</param>
/// <param name="Confidence">0.5 (a coin toss) to 1 (far from the threshold): a logistic of the score's distance from the threshold.</param>
/// <param name="Score">Summed cue score; above the threshold means overhead.</param>
/// <param name="Cues">The measured cues.</param>
public sealed record ModalityDecision(Model.Modality Modality, double Confidence, double Score, IReadOnlyList<ModalityCue> Cues);
