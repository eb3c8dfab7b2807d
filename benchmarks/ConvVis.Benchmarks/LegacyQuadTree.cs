namespace ConvVis.Benchmarks;

/// <summary>
/// The quadtree as it was before the preorder layout (kept to time the old force pass against the new one on the same
/// positions, in one process: see TSneProfile). A point-region quadtree over the 2-D map with each cell's point count and centre of mass: the Barnes-Hut
/// summary of the repulsive forces. Stored in flat arrays and rebuilt each iteration (building is O(N log N) and
/// cheap next to the force pass).
/// </summary>
internal sealed class LegacyQuadTree
{
    /// <summary>Points closer than a cell this deep are kept together as one body (identical points would otherwise split forever).</summary>
    const int MaxDepth = 48;

    double[] _centerX = new double[64], _centerY = new double[64], _half = new double[64];
    double[] _sumX = new double[64], _sumY = new double[64];
    int[] _count = new int[64], _child = new int[64], _point = new int[64];
    int _nodes;
    double[] _xy = [];

    /// <summary>Builds the tree over positions [x0, y0, x1, y1, ...].</summary>
    public void Build(double[] xy)
    {
        _xy = xy;
        int n = xy.Length / 2;
        double minX = double.PositiveInfinity, maxX = double.NegativeInfinity, minY = double.PositiveInfinity, maxY = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            minX = Math.Min(minX, xy[2 * i]); maxX = Math.Max(maxX, xy[2 * i]);
            minY = Math.Min(minY, xy[2 * i + 1]); maxY = Math.Max(maxY, xy[2 * i + 1]);
        }
        _nodes = 0;
        double half = Math.Max(maxX - minX, maxY - minY) / 2;
        // A little larger than the points' box so that the largest point falls inside, never on the edge.
        half = half * (1 + 1e-6) + 1e-12;
        NewNode((minX + maxX) / 2, (minY + maxY) / 2, half);
        for (int i = 0; i < n; i++) Insert(i);
    }

    int NewNode(double cx, double cy, double half)
    {
        if (_nodes == _count.Length)
        {
            int size = _nodes * 2;
            Array.Resize(ref _centerX, size); Array.Resize(ref _centerY, size); Array.Resize(ref _half, size);
            Array.Resize(ref _sumX, size); Array.Resize(ref _sumY, size);
            Array.Resize(ref _count, size); Array.Resize(ref _child, size); Array.Resize(ref _point, size);
        }
        int node = _nodes++;
        _centerX[node] = cx; _centerY[node] = cy; _half[node] = half;
        _sumX[node] = 0; _sumY[node] = 0; _count[node] = 0; _child[node] = -1; _point[node] = -1;
        return node;
    }

    int ChildFor(int node, double x, double y) =>
        _child[node] + (x >= _centerX[node] ? 1 : 0) + (y >= _centerY[node] ? 2 : 0);

    void Insert(int i)
    {
        double x = _xy[2 * i], y = _xy[2 * i + 1];
        int node = 0;
        for (int depth = 0; ; depth++)
        {
            if (_child[node] < 0)
            {
                if (_count[node] == 0)
                {
                    _point[node] = i; _count[node] = 1; _sumX[node] = x; _sumY[node] = y;
                    return;
                }
                int rep = _point[node];
                double px = _xy[2 * rep], py = _xy[2 * rep + 1];
                if ((px == x && py == y) || depth >= MaxDepth)
                {
                    _count[node]++; _sumX[node] += x; _sumY[node] += y;
                    return;
                }
                // Split the leaf and move its body (one point, or a group of identical ones) into the right child.
                double h = _half[node] / 2, cx = _centerX[node], cy = _centerY[node];
                int first = NewNode(cx - h, cy - h, h);
                NewNode(cx + h, cy - h, h);
                NewNode(cx - h, cy + h, h);
                NewNode(cx + h, cy + h, h);
                _child[node] = first;
                int c = ChildFor(node, px, py);
                _count[c] = _count[node]; _sumX[c] = _sumX[node]; _sumY[c] = _sumY[node]; _point[c] = rep;
                _point[node] = -1;
            }
            _count[node]++; _sumX[node] += x; _sumY[node] += y;
            node = ChildFor(node, x, y);
        }
    }

    /// <summary>
    /// The repulsion on point <paramref name="i"/>: sum over other points j of q_ij² (y_i - y_j) and of q_ij, with
    /// q = 1 / (1 + d²), where a cell of width w at distance d from its centre of mass counts as one body when w² &lt; theta² d².
    /// </summary>
    public (double Fx, double Fy, double SumQ) Repulsion(int i, double theta)
    {
        double x = _xy[2 * i], y = _xy[2 * i + 1], theta2 = theta * theta;
        double fx = 0, fy = 0, sumQ = 0;
        Span<int> stack = stackalloc int[4 * MaxDepth + 8];
        int top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            int node = stack[--top];
            int c = _count[node];
            if (c == 0) continue;
            bool leaf = _child[node] < 0;
            if (leaf && c == 1 && _point[node] == i) continue;
            double dx = x - _sumX[node] / c, dy = y - _sumY[node] / c, d2 = dx * dx + dy * dy;
            double w = 2 * _half[node];
            if (leaf || w * w < theta2 * d2)
            {
                // A group of identical points containing i itself: every other member is at distance 0.
                if (leaf && d2 == 0) c--;
                double q = 1 / (1 + d2);
                sumQ += c * q;
                double m = c * q * q;
                fx += m * dx; fy += m * dy;
            }
            else
            {
                int first = _child[node];
                stack[top++] = first; stack[top++] = first + 1; stack[top++] = first + 2; stack[top++] = first + 3;
            }
        }
        return (fx, fy, sumQ);
    }
}
