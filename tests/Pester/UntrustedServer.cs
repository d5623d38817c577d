// A fake Return Helper API on loopback that answers what a real one never should (issue 12): unreadable records,
// redirects, echoes of the token, huge answers. Compiled with Add-Type by Untrusted.Tests.ps1 and
// tests/Benchmarks/ResponseMemory.Bench.ps1; its answers are made in C# because a script block cannot run on the
// listener's threads.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace RrTest
{
    public sealed class UntrustedServer : IDisposable
    {
        const string CorrelationId = "untrusted-correlation-1";
        readonly HttpListener listener = new HttpListener();
        int nextRecallId = 1000;

        /// <summary>api (a small scripted API), redirect (every request to <see cref="RedirectTo"/>), reflect (soft errors
        /// echoing the token, encoded), huge (a success of <see cref="HugeBytes"/> bytes).</summary>
        public string Mode { get; set; } = "api";
        /// <summary>Inventory ids whose record (GetReturnInventory) or recall (create) is answered with invalid UTF-8.</summary>
        public HashSet<long> UnreadableIds { get; } = new HashSet<long>();
        /// <summary>How those answers are unreadable: utf8 (a lone lead byte, 0xC3) or surrogate (valid UTF-8 JSON holding "\uD800").</summary>
        public string UnreadableAs { get; set; } = "utf8";
        public string RedirectTo { get; set; }
        public long HugeBytes { get; set; }
        public bool DeclareLength { get; set; }
        /// <summary>Bytes of the huge answer actually written before the client hung up.</summary>
        public long HugeBytesSent;
        /// <summary>"METHOD path-and-query token" of every request.</summary>
        public ConcurrentQueue<string> Requests { get; } = new ConcurrentQueue<string>();

        public int Port { get; }
        public string Origin => "http://127.0.0.1:" + Port;
        public string UserApiBase => Origin + "/uat/user/api";

        public UntrustedServer()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            listener.Prefixes.Add(Origin + "/");
            listener.Start();
            Task.Run(Serve);
        }

        async Task Serve()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception) { return; }
                _ = Task.Run(() => Answer(context));
            }
        }

        void Answer(HttpListenerContext context)
        {
            try
            {
                var request = context.Request;
                string body;
                using (var reader = new StreamReader(request.InputStream, Encoding.UTF8)) body = reader.ReadToEnd();
                var token = request.Headers["x-rr-apitoken"];
                Requests.Enqueue(request.HttpMethod + " " + request.Url.PathAndQuery + " " + token);
                switch (Mode)
                {
                    case "redirect":
                        context.Response.StatusCode = 302;
                        context.Response.RedirectLocation = RedirectTo + request.Url.PathAndQuery;
                        break;
                    case "reflect":
                        Send(context, 200, Reflect(token));
                        break;
                    case "huge":
                        SendHuge(context);
                        break;
                    default:
                        Send(context, 200, Api(request, body));
                        break;
                }
            }
            catch (Exception) { /* the client hung up */ }
            finally
            {
                try { context.Response.Close(); } catch (Exception) { }
            }
        }

        static void Send(HttpListenerContext context, int status, byte[] body)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = body.Length;
            context.Response.OutputStream.Write(body, 0, body.Length);
        }

        static byte[] Envelope(string payload)
            => Encoding.UTF8.GetBytes("{" + payload + (payload.Length > 0 ? "," : "") + "\"correlationId\":\"" + CorrelationId + "\",\"meta\":{\"status\":200,\"data\":{},\"errorCode\":null,\"error\":{}}}");

        /// <summary>The UTF-8 of <paramref name="json"/> with "@BAD@" replaced as <see cref="UnreadableAs"/> says.</summary>
        byte[] Unreadable(byte[] json)
        {
            var text = Encoding.UTF8.GetString(json);
            var at = text.IndexOf("@BAD@", StringComparison.Ordinal);
            if (at < 0) return json;
            var head = Encoding.UTF8.GetBytes(text.Substring(0, at));
            var tail = Encoding.UTF8.GetBytes(text.Substring(at + 5));
            var bad = UnreadableAs == "surrogate" ? Encoding.ASCII.GetBytes("\\uD800") : new byte[] { 0xC3 };
            return head.Concat(bad).Concat(tail).ToArray();
        }

        byte[] Api(HttpListenerRequest request, string body)
        {
            var path = request.Url.AbsolutePath;
            if (path.EndsWith("/ReturnInventory/GetReturnInventory", StringComparison.OrdinalIgnoreCase))
            {
                var id = long.Parse(request.QueryString["returnInventoryId"]);
                var description = UnreadableIds.Contains(id) ? "caf@BAD@" : "Shoes";
                return Unreadable(Envelope("\"data\":{\"returnInventoryId\":" + id + ",\"rma\":\"USE-2-261201-D" + id.ToString("00000") + "-01\",\"handlingCode\":\"tbc\","
                    + "\"handlingStatusCode\":\"pending\",\"warehouseId\":2,\"description\":\"" + description + "\"}"));
            }
            if (path.EndsWith("/Recall/createRecallByReturnInventoryId", StringComparison.OrdinalIgnoreCase))
            {
                var ids = Regex.Matches(body, @"\d+").Cast<Match>().Select(m => long.Parse(m.Value)).ToList();
                var recallId = System.Threading.Interlocked.Increment(ref nextRecallId);
                var remarks = ids.Any(UnreadableIds.Contains) ? "caf@BAD@" : "ok";
                var lines = string.Join(",", ids.Select(i => "{\"recallInventoryId\":" + (i + 500000) + ",\"returnInventoryId\":" + i + ",\"recallInventoryStatusCode\":\"pending\"}"));
                return Unreadable(Envelope("\"recallList\":[{\"recallId\":" + recallId + ",\"recallNumber\":\"RCL261201-" + recallId + "\",\"recallStatusCode\":\"pending\","
                    + "\"warehouseId\":2,\"warehouseRemarks\":\"" + remarks + "\",\"createOn\":\"2026-12-01T00:00:00Z\",\"recallInventoryList\":[" + lines + "]}]"));
            }
            return Envelope("");
        }

        /// <summary>A soft error that echoes the token in the forms a careless server produces.</summary>
        static byte[] Reflect(string token)
        {
            token = token ?? "";
            var everyCharEscaped = string.Concat(token.Select(c => "\\u" + ((int)c).ToString("x4")));
            var jsonDefault = token.Replace("+", "\\u002B").Replace("<", "\\u003C").Replace(">", "\\u003E").Replace("&", "\\u0026").Replace("'", "\\u0027");
            var percent = Uri.EscapeDataString(token);
            return Encoding.UTF8.GetBytes("{\"correlationId\":\"echo-" + everyCharEscaped + "\",\"meta\":{\"status\":400,\"errorCode\":\"VALIDATION_FAILED\",\"error\":{"
                + "\"returnInventoryIdList[0]\":\"Invalid token " + jsonDefault + " (sent as " + percent + ")\","
                + "\"debug\":{\"header\":\"" + everyCharEscaped + "\",\"query\":\"token=" + percent.ToLowerInvariant() + "\"}}}}");
        }

        void SendHuge(HttpListenerContext context)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            if (DeclareLength) context.Response.ContentLength64 = HugeBytes;
            else context.Response.SendChunked = true;
            var head = Encoding.ASCII.GetBytes("{\"correlationId\":\"" + CorrelationId + "\",\"data\":[");
            var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"returnInventoryId\":1},", 64 * 1024 / 24)));
            var output = context.Response.OutputStream;
            output.Write(head, 0, head.Length);
            HugeBytesSent = head.Length;
            while (HugeBytesSent < HugeBytes)
            {
                var n = (int)Math.Min(chunk.Length, HugeBytes - HugeBytesSent);
                output.Write(chunk, 0, n);
                HugeBytesSent += n;
            }
        }

        public void Dispose() => listener.Close();
    }
}
