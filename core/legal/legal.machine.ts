import type { LegalKind } from './legal.schema';

/** When the built-in templates count as published (version 1 until an operator publishes). */
export const LEGAL_TEMPLATE_DATE = new Date('2026-01-01T00:00:00+08:00');

export const LEGAL_TITLES: Record<LegalKind, string> = { terms: '用户协议', privacy: '隐私政策' };

/**
 * Version 1 of each document: a short template for the operator to replace (publishing stores it as
 * version 1 first, so what early registrants agreed to stays readable). Do not edit a template that
 * people may have agreed to: publish a new version instead.
 */
export const LEGAL_TEMPLATES: Record<LegalKind, string> = {
  terms: `【模板，请运营方替换】本协议是您与帮扶平台运营方之间关于使用本平台服务的约定。

一、账号注册与使用
您应提供真实、准确的注册信息（包括单位名称、统一社会信用代码、手机号），并妥善保管账号和密码。通过您的账号进行的操作视为您本人或您所在单位的行为。

二、交易规则
平台提供采购需求发布、报价竞价、资金托管和消费帮扶商城等服务。您应遵守平台公布的交易规则，不得串通报价、虚假交易或恶意下单。

三、资金与费用
充值、托管与结算通过平台合作的支付机构办理；平台收取的服务费以交易前页面展示为准。

四、违规处理
对违反法律法规或本协议的行为，平台可视情节采取警告、限制功能、停用账号等措施，并保留追究责任的权利。

五、协议变更
平台修改本协议时将发布新版本并注明版本号和发布日期；您继续使用服务即视为同意修改后的协议。

六、联系我们
如有疑问，请通过页面底部的客服方式联系我们。`,
  privacy: `【模板，请运营方替换】我们重视您的个人信息保护。本政策说明我们收集哪些信息、如何使用和保护这些信息。

一、我们收集的信息
注册时您提供的用户名、手机号、电子邮箱、单位名称和统一社会信用代码；使用服务时产生的交易、订单、登录记录（含 IP 地址和设备信息）。

二、信息的使用
用于账号注册与登录、身份核验、交易履约、资金结算、客服支持、安全风控，以及依法向监管部门报送统计信息。

三、信息的共享
除为完成交易必须向交易对方、支付机构提供的信息，以及法律法规要求的情形外，我们不会向第三方提供您的个人信息。

四、信息的存储与保护
您的信息存储在中华人民共和国境内，我们采取加密、访问控制和操作审计等措施保护信息安全。

五、您的权利
您可以在用户中心查询、更正您的信息，或联系客服注销账号。

六、政策更新
本政策更新时将发布新版本并注明版本号和发布日期。`,
};

/** The version a publish creates: one after the latest stored, or 2 when only the template (version 1) exists. */
export function nextLegalVersion(latestStored: number | undefined): number {
  return (latestStored ?? 1) + 1;
}

/** Paragraphs of a plain-text document: blank lines separate them; single line breaks stay inside. */
export function legalParagraphs(body: string): string[] {
  return body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}
