import nodemailer from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  messageId?: string;
}

/** Where mails go. Without SMTP_URL there is none, and EMAIL notifications stay in the outbox. */
export abstract class MailTransport {
  abstract send(mail: Mail): Promise<void>;
}

/** SMTP through nodemailer. */
export class SmtpMailTransport extends MailTransport {
  private readonly transporter: nodemailer.Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    super();
    this.transporter = nodemailer.createTransport(url, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async send(mail: Mail): Promise<void> {
    await this.transporter.sendMail({ from: this.from, ...mail });
  }
}
