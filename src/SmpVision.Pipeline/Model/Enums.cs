namespace SmpVision.Pipeline.Model;

/// <summary>What kind of photo an image is.</summary>
public enum Modality
{
    /// <summary>Not known: the pipeline detects it.</summary>
    Unknown = 0,
    /// <summary>Contact dermoscope close-up (20x-70x), a few mm of scalp (docs/DOMAIN-SOURCES.md, Imaging modalities).</summary>
    Trichoscopy = 1,
    /// <summary>Camera or phone photo of the whole head (top-down, frontal, vertex views).</summary>
    Overhead = 2,
}

/// <summary>Scalp zone the photo shows; used to pick documented reference-density defaults.</summary>
public enum ScalpZone
{
    Unspecified = 0,
    Frontal = 1,
    Hairline = 2,
    MidScalp = 3,
    Vertex = 4,
    Temporal = 5,
    OccipitalDonor = 6,
}

/// <summary>Class of a region on the region map. Values are also the label-map pixel values.</summary>
public enum RegionClass : byte
{
    /// <summary>Pixel not classified (never produced for analysed pixels).</summary>
    Unclassified = 0,
    /// <summary>Hair-bearing scalp at or near the reference density.</summary>
    HairBearing = 1,
    /// <summary>Scalp with hair below the thinning threshold relative to the reference density.</summary>
    Thinning = 2,
    /// <summary>Scalp with (almost) no hair.</summary>
    Hairless = 3,
    /// <summary>Scar tissue: smooth, no follicular openings, altered colour.</summary>
    Scar = 4,
    /// <summary>Not scalp: background, overlays (text bars, scale bars, drawn circles), dermoscope rim.</summary>
    OffScalp = 5,
}

/// <summary>Kind of scar, from its shape.</summary>
public enum ScarKind
{
    Unspecified = 0,
    /// <summary>Long thin strip, typical of strip harvesting (FUT).</summary>
    LinearStrip = 1,
    /// <summary>Small round dots, typical of FUE punches.</summary>
    PunctateFue = 2,
    /// <summary>Round patches of a few mm, typical of old plug grafts.</summary>
    Plug = 3,
    /// <summary>Any other surgical or traumatic scar.</summary>
    SurgicalOrTraumatic = 4,
}

/// <summary>Skin-tone band of the Individual Typology Angle (Chardon 1991; docs/DOMAIN-SOURCES.md, Colour and skin tone).</summary>
public enum ItaBand
{
    Unspecified = 0,
    /// <summary>ITA &gt; 55 degrees.</summary>
    VeryLight = 1,
    /// <summary>41 &lt; ITA &lt;= 55.</summary>
    Light = 2,
    /// <summary>28 &lt; ITA &lt;= 41.</summary>
    Intermediate = 3,
    /// <summary>10 &lt; ITA &lt;= 28.</summary>
    Tan = 4,
    /// <summary>-30 &lt; ITA &lt;= 10.</summary>
    Brown = 5,
    /// <summary>ITA &lt;= -30.</summary>
    Dark = 6,
}
