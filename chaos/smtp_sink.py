"""A mail server that keeps what it receives: one JSON line per message (recipients, subject, text).

`python -m chaos.smtp_sink --port 2599 --out messages.jsonl`. Only what Django's SMTP backend needs:
EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no authentication. Stopped with SIGTERM.
"""

import argparse
import asyncio
import email
import email.policy
import json
import signal


def message_record(sender: str, recipients: list[str], data: bytes) -> dict:
    message = email.message_from_bytes(data, policy=email.policy.default)
    texts = [
        part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "text" and not part.is_multipart()
    ]
    return {
        "from": sender,
        "to": recipients,
        "subject": str(message.get("Subject", "")),
        "message_id": str(message.get("Message-ID", "")),
        "text": "\n".join(texts),
    }


class Session:
    def __init__(self, reader, writer, out_path: str):
        self.reader, self.writer, self.out_path = reader, writer, out_path
        self.sender, self.recipients = "", []

    async def reply(self, line: str) -> None:
        self.writer.write(line.encode() + b"\r\n")
        await self.writer.drain()

    async def run(self) -> None:
        await self.reply("220 chaos-sink ESMTP ready")
        while line := await self.reader.readline():
            command, _, argument = line.decode("utf-8", "replace").strip().partition(" ")
            command = command.upper()
            if command == "EHLO":
                await self.reply("250-chaos-sink\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif command == "HELO":
                await self.reply("250 chaos-sink")
            elif command == "MAIL":
                self.sender, self.recipients = argument.partition(":")[2].strip(" <>"), []
                await self.reply("250 OK")
            elif command == "RCPT":
                self.recipients.append(argument.partition(":")[2].strip(" <>"))
                await self.reply("250 OK")
            elif command == "DATA":
                await self.reply("354 End data with <CR><LF>.<CR><LF>")
                await self.receive_data()
                await self.reply("250 OK: queued")
            elif command in ("RSET", "NOOP"):
                await self.reply("250 OK")
            elif command == "QUIT":
                await self.reply("221 Bye")
                break
            else:
                await self.reply("502 Command not implemented")
        self.writer.close()

    async def receive_data(self) -> None:
        lines = []
        while (line := await self.reader.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        record = message_record(self.sender, self.recipients, b"".join(lines))
        with open(self.out_path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")


async def serve(host: str, port: int, out_path: str) -> None:
    async def handle(reader, writer):
        await Session(reader, writer, out_path).run()

    server = await asyncio.start_server(handle, host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port, args.out))


if __name__ == "__main__":
    main()
