# SPDX-License-Identifier: Apache-2.0
# An aiosmtpd handler for the end-to-end tests: every message received becomes one JSON file in a directory.
#   PYTHONPATH=test/e2e/lib python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Spool DIR
import email
import email.policy
import json
import os
import time


class Spool:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        os.makedirs(directory, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error('smtp_sink.Spool needs the spool directory')
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=('plain',))
        record = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'from': str(msg['From'] or ''),
            'to': str(msg['To'] or ''),
            'subject': str(msg['Subject'] or ''),
            'content_type': msg.get_content_type(),
            'text': body.get_content() if body is not None else '',
        }
        self.count += 1
        name = '%020d-%06d.json' % (time.time_ns(), self.count)
        tmp = os.path.join(self.directory, '.' + name + '.tmp')
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(self.directory, name))
        return '250 Message accepted for delivery'
