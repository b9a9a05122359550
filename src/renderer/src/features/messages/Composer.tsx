import { fieldErrors, noNativeValidation, notifyError } from '../../ui/notify';
import { Alert, Button, Group, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { IconSend } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { BusinessNumber, Message } from '../../../../shared/api/entities';
import { normalizeDialString } from '../../../../shared/phone';
import { segmentSms } from '../../../../shared/sms';
import { useSendMessageMutation } from './api';

/**
 * Writes a message from one of the user's SMS numbers — the only numbers it
 * offers. A fixed `from` (a reply) must be one of them too; otherwise the
 * composer says why it cannot send. The main process checks again.
 */
export function Composer(props: {
  smsNumbers: BusinessNumber[];
  /** A reply goes from the thread's own number, to its other party. */
  reply?: { bnId: number; to: string };
  initialTo?: string;
  onSent: (m: Message) => void;
}) {
  const { smsNumbers, reply } = props;
  const [send, sending] = useSendMessageMutation();
  const [from, setFrom] = useState<string | null>(smsNumbers[0] ? String(smsNumbers[0].id) : null);
  const [to, setTo] = useState(props.initialTo ?? '');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const sms = segmentSms(body);

  const replyAllowed = !reply || smsNumbers.some((n) => n.id === reply.bnId);
  if (smsNumbers.length === 0 || !replyAllowed) {
    return (
      <Alert color="gray" variant="light">
        {smsNumbers.length === 0
          ? 'You have no numbers to send messages from. Ask an Administrator to give you an SMS number.'
          : 'You can read this conversation, but you may not send messages from its business number.'}
      </Alert>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const target = reply ? reply.to : normalizeDialString(to);
    if (!target) return setErrors({ to: 'Enter a phone number, e.g. (213) 555-0100 or +44 20 7183 8750' });
    const bnId = reply ? reply.bnId : Number(from);
    const r = await send({ bnId, to: target, body });
    if ('error' in r) {
      setErrors(fieldErrors(r.error));
      // A refusal about the person (they opted out) stays beside the message, not only in a passing notice.
      const e = r.error as { code?: string; message?: string };
      setRefusal(e.code === 'conflict' && e.message ? e.message : null);
      return notifyError(r.error, 'Not sent');
    }
    setErrors({});
    setRefusal(null);
    setBody('');
    props.onSent(r.data);
  }

  return (
    <Stack
      component="form"
      {...noNativeValidation}
      onSubmit={submit}
      gap="xs"
      aria-label={reply ? 'Reply' : 'New message'}
    >
      {!reply && (
        <Group grow align="flex-start">
          <Select
            label="From"
            data={smsNumbers.map((n) => ({
              value: String(n.id),
              label: n.label ? `${n.label} · ${n.formatted}` : n.formatted,
            }))}
            value={from}
            onChange={setFrom}
            allowDeselect={false}
            error={errors.bnId}
          />
          <TextInput
            label="To"
            placeholder="(213) 555-0100"
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            error={errors.to}
            required
          />
        </Group>
      )}
      {refusal && (
        <Alert color="red" variant="light" role="alert" title="Not sent">
          {refusal}
        </Alert>
      )}
      <Group align="flex-end" wrap="nowrap">
        <Textarea
          label="Message"
          placeholder="Type a message"
          autosize
          minRows={1}
          maxRows={6}
          value={body}
          onChange={(e) => {
            setBody(e.currentTarget.value);
            setRefusal(null);
          }}
          error={errors.body}
          style={{ flex: 1 }}
          description={`${smsSize(sms)} · Enter sends; Shift+Enter starts a new line.`}
          onKeyDown={(e) => {
            // Enter sends, as in every chat; Shift+Enter adds a line. A key
            // that finishes an input-method composition is not a send.
            if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
            e.preventDefault();
            if (body.trim() && !sending.isLoading) e.currentTarget.form?.requestSubmit();
          }}
        />
        <Button type="submit" leftSection={<IconSend size={14} />} loading={sending.isLoading} disabled={!body.trim()}>
          Send
        </Button>
      </Group>
    </Stack>
  );
}

/** How the text goes as SMS: "1 SMS · 42/160" or "3 SMS parts · Unicode, 67 characters each". */
function smsSize(s: ReturnType<typeof segmentSms>): string {
  const kind = s.encoding === 'ucs2' ? 'Unicode, ' : '';
  if (s.parts.length === 1) return `1 SMS · ${kind}${s.units}/${s.single}`;
  return `${s.parts.length} SMS parts · ${kind}${s.perPart} characters each`;
}
