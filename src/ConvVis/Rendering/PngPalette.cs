namespace ConvVis.Rendering;

/// <summary>
/// Turns an RGB picture of at most 256 colours into palette indices for an indexed-colour PNG, or says it has more.
/// </summary>
internal static class PngPalette
{
    const int Slots = 1024; // open addressing, at most 256 used: short probe chains

    /// <summary>
    /// Indices (one byte per pixel) and the PLTE bytes (3 per entry, ordered by luma), or null when the picture has more
    /// than 256 colours; a truecolour picture stops at its 257th colour.
    /// </summary>
    public static (byte[] Indices, byte[] Palette)? TryIndex(ReadOnlySpan<byte> rgb)
    {
        var keys = new int[Slots];
        var slotIndex = new int[Slots];
        Array.Fill(keys, -1);
        var colours = new int[256];
        int count = 0;
        var indices = new byte[rgb.Length / 3];
        int lastKey = -1, lastIndex = 0; // neighbouring pixels mostly share a colour
        for (int p = 0, i = 0; p < indices.Length; p++, i += 3)
        {
            int key = rgb[i] << 16 | rgb[i + 1] << 8 | rgb[i + 2];
            if (key != lastKey)
            {
                int slot = (int)((uint)(key * -1640531535) >> 22); // Fibonacci hashing into 1024 slots
                while (keys[slot] != key && keys[slot] != -1) slot = (slot + 1) & (Slots - 1);
                if (keys[slot] == -1)
                {
                    if (count == 256) return null;
                    keys[slot] = key;
                    slotIndex[slot] = count;
                    colours[count++] = key;
                }
                lastKey = key;
                lastIndex = slotIndex[slot];
            }
            indices[p] = (byte)lastIndex;
        }

        var order = Order(colours.AsSpan(0, count));
        var rank = new Dictionary<int, int>(count);
        for (int n = 0; n < count; n++) rank[order[n]] = n;
        var renumber = new byte[256];
        for (int k = 0; k < count; k++) renumber[k] = (byte)rank[colours[k]];
        for (int p = 0; p < indices.Length; p++) indices[p] = renumber[indices[p]];
        return (indices, Bytes(order));
    }

    /// <summary>
    /// The palette order of distinct colours (0xRRGGBB): by luma, ties by colour. Painters that know their colours
    /// (<see cref="ColormapTileCanvas"/>) use it to write the very indices <see cref="TryIndex"/> would find.
    /// </summary>
    public static int[] Order(ReadOnlySpan<int> colours)
    {
        var order = colours.ToArray();
        Array.Sort(order, (a, b) => Luma(a) != Luma(b) ? Luma(a).CompareTo(Luma(b)) : a.CompareTo(b));
        return order;
    }

    /// <summary>PLTE bytes (3 per entry) of colours 0xRRGGBB.</summary>
    public static byte[] Bytes(ReadOnlySpan<int> colours)
    {
        var palette = new byte[3 * colours.Length];
        for (int n = 0; n < colours.Length; n++)
        {
            palette[3 * n] = (byte)(colours[n] >> 16);
            palette[3 * n + 1] = (byte)(colours[n] >> 8);
            palette[3 * n + 2] = (byte)colours[n];
        }
        return palette;
    }

    static int Luma(int c) => 299 * (c >> 16) + 587 * ((c >> 8) & 0xFF) + 114 * (c & 0xFF);
}
