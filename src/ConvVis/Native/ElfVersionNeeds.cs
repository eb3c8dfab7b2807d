// This file is compiled twice: into the ConvVis library, and by MSBuild's RoslynCodeTaskFactory
// as the build task that fixes TorchSharp's native library in every output folder
// (build/TorchSharpLoadFix.targets). It must therefore depend on nothing but netstandard2.0's BCL.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace ConvVis.Native
{
    /// <summary>
    /// Reads and edits the symbol-version requirements (<c>.gnu.version_r</c>) of a 64-bit
    /// little-endian ELF shared library.
    /// </summary>
    /// <remarks>
    /// TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> requires <c>GLIBCXX_3.4.32</c> (GCC 13's libstdc++)
    /// although the only symbol it takes from that version has no relocation. Marking the requirement
    /// weak (<c>VER_FLG_WEAK</c>) lets the dynamic loader accept an older libstdc++ such as Debian 12's.
    /// </remarks>
    internal static class ElfVersionNeeds
    {
        const uint ShtGnuVerneed = 0x6ffffffe;
        /// <summary>The <c>VER_FLG_WEAK</c> flag of a version requirement.</summary>
        public const ushort WeakFlag = 2;

        /// <summary>One required symbol version: the library that must define it, its name, and its flags.</summary>
        public readonly struct Need
        {
            /// <summary>Creates a requirement record.</summary>
            public Need(string file, string version, ushort flags, long flagsOffset)
            {
                File = file; Version = version; Flags = flags; FlagsOffset = flagsOffset;
            }
            /// <summary>The needed library, e.g. <c>libstdc++.so.6</c>.</summary>
            public string File { get; }
            /// <summary>The version name, e.g. <c>GLIBCXX_3.4.32</c>.</summary>
            public string Version { get; }
            /// <summary>The <c>vna_flags</c> field.</summary>
            public ushort Flags { get; }
            /// <summary>True when the loader tolerates the version being absent.</summary>
            public bool IsWeak => (Flags & WeakFlag) != 0;
            internal long FlagsOffset { get; }
        }

        /// <summary>Lists every symbol version the library requires.</summary>
        /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file.</exception>
        public static IReadOnlyList<Need> Read(string path) => Read(File.ReadAllBytes(path), path);

        /// <summary>
        /// Marks the requirement of <paramref name="version"/> weak. Returns true when the file was changed,
        /// false when it was already weak or not required at all. The file is rewritten in place.
        /// </summary>
        public static bool MarkWeak(string path, string version)
        {
            byte[] bytes = File.ReadAllBytes(path);
            bool changed = false;
            foreach (Need need in Read(bytes, path))
            {
                if (need.Version != version || need.IsWeak) continue;
                WriteUInt16(bytes, need.FlagsOffset, (ushort)(need.Flags | WeakFlag));
                changed = true;
            }
            if (changed)
            {
                // Write next to the file and rename, so a crash never leaves a half-written library.
                string temp = path + ".convvis-tmp";
                File.WriteAllBytes(temp, bytes);
                // netstandard2.0 (the build task's target) has no File.Move overwrite overload.
                File.Copy(temp, path, overwrite: true);
                File.Delete(temp);
            }
            return changed;
        }

        static IReadOnlyList<Need> Read(byte[] b, string path)
        {
            if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
                throw new InvalidDataException($"'{path}' is not an ELF file.");
            if (b[4] != 2 || b[5] != 1)
                throw new InvalidDataException($"'{path}' is not a 64-bit little-endian ELF file.");

            long shoff = (long)ReadUInt64(b, 0x28);
            int shentsize = ReadUInt16(b, 0x3A);
            int shnum = ReadUInt16(b, 0x3C);
            var needs = new List<Need>();
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (ReadUInt32(b, sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)ReadUInt64(b, sh + 0x18);
                uint link = ReadUInt32(b, sh + 0x28);
                uint count = ReadUInt32(b, sh + 0x2C);
                long strtab = (long)ReadUInt64(b, shoff + link * shentsize + 0x18);

                long entry = offset;
                for (uint n = 0; n < count; n++)
                {
                    ushort auxCount = ReadUInt16(b, entry + 2);
                    string file = ReadString(b, strtab + ReadUInt32(b, entry + 4));
                    long aux = entry + ReadUInt32(b, entry + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        ushort flags = ReadUInt16(b, aux + 4);
                        string name = ReadString(b, strtab + ReadUInt32(b, aux + 8));
                        needs.Add(new Need(file, name, flags, aux + 4));
                        aux += ReadUInt32(b, aux + 12);
                    }
                    entry += ReadUInt32(b, entry + 12);
                }
            }
            return needs;
        }

        static ushort ReadUInt16(byte[] b, long at) { Check(b, at, 2); return BitConverter.ToUInt16(b, (int)at); }
        static uint ReadUInt32(byte[] b, long at) { Check(b, at, 4); return BitConverter.ToUInt32(b, (int)at); }
        static ulong ReadUInt64(byte[] b, long at) { Check(b, at, 8); return BitConverter.ToUInt64(b, (int)at); }
        static void WriteUInt16(byte[] b, long at, ushort value) { b[at] = (byte)value; b[at + 1] = (byte)(value >> 8); }

        static string ReadString(byte[] b, long at)
        {
            Check(b, at, 1);
            int end = Array.IndexOf(b, (byte)0, (int)at);
            if (end < 0) throw new InvalidDataException("Unterminated string in ELF string table.");
            return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
        }

        static void Check(byte[] b, long at, int size)
        {
            if (at < 0 || at + size > b.Length)
                throw new InvalidDataException("The ELF file is truncated or corrupt (an offset points past its end).");
        }
    }
}

#if !CONVVIS_LIBRARY
namespace ConvVis.Build
{
    /// <summary>MSBuild task: marks GLIBCXX_3.4.32 weak in every libLibTorchSharp.so below a folder.</summary>
    public class FixTorchSharpNative : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public string Folder { get; set; } = "";

        public override bool Execute()
        {
            if (!System.IO.Directory.Exists(Folder)) return true;
            foreach (string lib in System.IO.Directory.EnumerateFiles(Folder, "libLibTorchSharp.so", System.IO.SearchOption.AllDirectories))
            {
                if (ConvVis.Native.ElfVersionNeeds.MarkWeak(lib, "GLIBCXX_3.4.32"))
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, "ConvVis: marked GLIBCXX_3.4.32 weak in " + lib);
            }
            return true;
        }
    }
}
#endif
