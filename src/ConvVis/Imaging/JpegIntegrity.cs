namespace ConvVis.Imaging;

/// <summary>
/// Checks that a JPEG file is whole before it is decoded. ImageSharp 2 decodes a truncated JPEG without complaint
/// (the missing blocks come out grey or as garbage), and spends seconds and gigabytes on a tiny file that declares a
/// big image: so the marker segments are walked to the end-of-image marker, every component of the frame must be
/// coded by some scan, and every scan must hold at least the bits its blocks need (with Huffman coding a block
/// costs at least one bit for its DC coefficient, and one more for its AC coefficients in a sequential scan).
/// </summary>
internal static class JpegIntegrity
{
    public static bool HasSignature(ReadOnlySpan<byte> file) => file.Length >= 3 && file[0] == 0xFF && file[1] == 0xD8 && file[2] == 0xFF;

    private sealed record Component(int Id, int H, int V);

    private sealed record Frame(int Marker, int Width, int Height, List<Component> Components)
    {
        public bool Huffman => Marker is 0xC0 or 0xC1 or 0xC2;
        public bool Progressive => Marker is 0xC2 or 0xC6 or 0xCA or 0xCE;
        public int MaxH => Components.Max(c => c.H);
        public int MaxV => Components.Max(c => c.V);
    }

    /// <summary>Throws <see cref="InvalidDataException"/> unless <paramref name="file"/> is a whole JPEG whose scans can
    /// cover the size it declares; <paramref name="checkDeclaredSize"/> sees the frame's size as soon as it is read.</summary>
    public static void Check(byte[] file, string name, Action<int, int> checkDeclaredSize)
    {
        Frame? frame = null;
        var coded = new HashSet<int>();   // components that some scan starts (codes their DC coefficients)
        int scans = 0;
        int pos = 2;
        while (true)
        {
            // Markers may be preceded by any number of 0xFF fill bytes; stray bytes between segments (including
            // 0xFF 0x00, which is no marker) are skipped as libjpeg does.
            int marker;
            do
            {
                while (pos < file.Length && file[pos] != 0xFF) pos++;
                while (pos < file.Length && file[pos] == 0xFF) pos++;
                if (pos >= file.Length)
                    throw Fail(name, $"is truncated: it ends after {file.Length} bytes without the end-of-image marker");
                marker = file[pos++];
            }
            while (marker == 0x00);
            if (marker == 0xD9) break;   // EOI
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) continue;   // markers without a length
            if (file.Length - pos < 2)
                throw Fail(name, $"is truncated: it ends inside the header of a marker segment (0xFF{marker:X2})");
            int length = (file[pos] << 8) | file[pos + 1];
            if (length < 2 || length > file.Length - pos)
                throw Fail(name, $"is truncated: its 0xFF{marker:X2} segment at byte {pos - 2} declares {length} bytes, but only {file.Length - pos} follow");
            var segment = file.AsSpan(pos + 2, length - 2);
            pos += length;

            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (frame is not null) continue;   // the decoder decides about a second frame header
                frame = ReadFrame(marker, segment, name);
                checkDeclaredSize(frame.Width, frame.Height);
            }
            else if (marker == 0xDA)
            {
                if (frame is null)
                    throw Fail(name, "is corrupt: a scan starts before the frame header (SOF)");
                var (components, start, successiveHigh) = ReadScan(segment, frame, name);
                int dataStart = pos;
                pos = EndOfEntropyCodedData(file, pos);
                if (pos >= file.Length)
                    throw Fail(name, $"is truncated: it ends inside the compressed data of scan {scans + 1}, without the end-of-image marker");
                scans++;
                if (start == 0)
                    coded.UnionWith(components.Select(c => c.Id));
                if (frame.Huffman && start == 0 && successiveHigh == 0)
                    CheckScanHoldsItsBlocks(frame, components, pos - dataStart, scans, name);
            }
        }

        if (frame is null)
            throw Fail(name, "has no frame header (SOF): it holds no image");
        if (scans == 0)
            throw Fail(name, $"declares {frame.Width}x{frame.Height} pixels but holds no image data (no scan)");
        var missing = frame.Components.Where(c => !coded.Contains(c.Id)).Select(c => c.Id).ToList();
        if (missing.Count > 0)
            throw Fail(name, $"is missing image data: no scan codes component {string.Join(", ", missing)} of its {frame.Components.Count}");
    }

    private static Frame ReadFrame(int marker, ReadOnlySpan<byte> s, string name)
    {
        if (s.Length < 6 || s.Length < 6 + 3 * s[5] || s[5] == 0)
            throw Fail(name, "is corrupt: its frame header (SOF) is too short");
        int height = (s[1] << 8) | s[2], width = (s[3] << 8) | s[4];
        var components = new List<Component>();
        for (int i = 0; i < s[5]; i++)
        {
            int id = s[6 + 3 * i], h = s[7 + 3 * i] >> 4, v = s[7 + 3 * i] & 15;
            if (h is < 1 or > 4 || v is < 1 or > 4)
                throw Fail(name, $"is corrupt: component {id} has sampling factors {h}x{v} (JPEG allows 1 to 4)");
            components.Add(new Component(id, h, v));
        }
        return new Frame(marker, width, height, components);
    }

    private static (List<Component> Components, int Start, int SuccessiveHigh) ReadScan(ReadOnlySpan<byte> s, Frame frame, string name)
    {
        if (s.Length < 1 || s[0] == 0 || s.Length < 1 + 2 * s[0] + 3)
            throw Fail(name, "is corrupt: a scan header (SOS) is too short");
        var components = new List<Component>();
        for (int i = 0; i < s[0]; i++)
        {
            int id = s[1 + 2 * i];
            components.Add(frame.Components.FirstOrDefault(c => c.Id == id)
                           ?? throw Fail(name, $"is corrupt: a scan codes component {id}, which the frame header does not declare"));
        }
        int at = 1 + 2 * s[0];
        return (components, s[at], s[at + 2] >> 4);
    }

    /// <summary>The position of the first marker after entropy-coded data (0xFF followed by neither a stuffed 0x00
    /// nor a restart marker, which belong to the scan), or the file's length when none follows.</summary>
    private static int EndOfEntropyCodedData(byte[] file, int pos)
    {
        while (true)
        {
            int ff = Array.IndexOf(file, (byte)0xFF, pos);
            if (ff < 0) return file.Length;
            int next = ff + 1;
            while (next < file.Length && file[next] == 0xFF) next++;
            if (next >= file.Length) return file.Length;
            if (file[next] == 0x00 || file[next] is >= 0xD0 and <= 0xD7)
            {
                pos = next + 1;
                continue;
            }
            return ff;
        }
    }

    /// <summary>Refuses a scan too short for the blocks it codes: a lower bound, so it never refuses a whole file,
    /// and it stops a tiny file that declares megapixels before the decoder allocates them.</summary>
    private static void CheckScanHoldsItsBlocks(Frame frame, List<Component> components, long bytes, int scan, string name)
    {
        long blocks;
        if (components.Count == 1)
        {
            // A scan of one component codes just the blocks of that component, not whole MCUs.
            var c = components[0];
            long w = CeilDiv((long)frame.Width * c.H, frame.MaxH), h = CeilDiv((long)frame.Height * c.V, frame.MaxV);
            blocks = CeilDiv(w, 8) * CeilDiv(h, 8);
        }
        else
        {
            long mcus = CeilDiv(frame.Width, 8L * frame.MaxH) * CeilDiv(frame.Height, 8L * frame.MaxV);
            blocks = mcus * components.Sum(c => c.H * c.V);
        }
        long bitsPerBlock = frame.Progressive ? 1 : 2;
        long neededBytes = CeilDiv(blocks * bitsPerBlock, 8);
        if (bytes < neededBytes)
            throw Fail(name, $"declares {frame.Width}x{frame.Height} pixels, but its scan {scan} holds {bytes} bytes of compressed data, " +
                             $"fewer than the {neededBytes} its {blocks} blocks need at the least: the image data is missing (a truncated or crafted file); refusing to decode it");
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;

    private static InvalidDataException Fail(string name, string problem) => new($"Image '{name}' {problem}.");
}
