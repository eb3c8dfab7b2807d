namespace ConvVis.Rendering;

/// <summary>
/// The CRC-32 of PNG chunks (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF),
/// slicing by 8: eight table look-ups per 8 bytes instead of eight dependent steps, so a mosaic's IDAT costs well under
/// a millisecond. The runtime has no CRC-32 of its own (System.IO.Hashing is a separate package).
/// </summary>
internal static class PngCrc32
{
    static readonly uint[] Tables = BuildTables();

    /// <summary>The CRC of <paramref name="data"/> (for a chunk: its type and data).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var t = Tables;
        uint crc = 0xFFFFFFFF;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            uint low = crc ^ (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
            uint high = (uint)(data[i + 4] | data[i + 5] << 8 | data[i + 6] << 16 | data[i + 7] << 24);
            crc = t[7 * 256 + (low & 0xFF)] ^ t[6 * 256 + ((low >> 8) & 0xFF)] ^ t[5 * 256 + ((low >> 16) & 0xFF)] ^ t[4 * 256 + (low >> 24)]
                ^ t[3 * 256 + (high & 0xFF)] ^ t[2 * 256 + ((high >> 8) & 0xFF)] ^ t[256 + ((high >> 16) & 0xFF)] ^ t[high >> 24];
        }
        for (; i < data.Length; i++) crc = t[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    static uint[] BuildTables()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        // Table k advances a byte through k further zero bytes.
        for (int k = 1; k < 8; k++)
            for (int n = 0; n < 256; n++)
                t[k * 256 + n] = (t[(k - 1) * 256 + n] >> 8) ^ t[t[(k - 1) * 256 + n] & 0xFF];
        return t;
    }
}
