import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { shoot, signedIn } from './fixtures';

/** The demo's completed order of 重庆财经职业学院 (cqcfzy) that is not reviewed yet, from 城口 (chengkou). */
const WALNUTS = '城口核桃 2 斤装';

/** A phone photo of the walnuts: a PNG made here. */
const photo = () =>
  sharp({ create: { width: 480, height: 360, channels: 3, background: { r: 150, g: 110, b: 60 } } })
    .composite([
      {
        input: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360"><circle cx="160" cy="180" r="70" fill="#d9b27c"/><circle cx="320" cy="180" r="70" fill="#c89a5e"/></svg>',
        ),
      },
    ])
    .png()
    .toBuffer();

test('a buyer reviews a completed order with stars, text and a photo; the product page shows it; the merchant replies once', async ({ browser }) => {
  test.setTimeout(120_000);
  const { context, page } = await signedIn(browser, 'cqcfzy', 390);
  await page.goto('/mall/orders');
  await page.getByTestId('order-card').filter({ hasText: WALNUTS }).first().click();
  await expect(page.getByRole('heading', { name: '订单已完成', level: 1 })).toBeVisible();
  const orderId = new URL(page.url()).pathname.split('/').pop()!;
  const reviews = page.getByTestId('order-reviews');
  await expect(reviews).toContainText('订单已完成，说说商品和商家的服务吧');

  // Nothing chosen: the stars are asked for, in Chinese, next to the fields.
  await reviews.getByRole('button', { name: '发布评价' }).click();
  await expect(reviews.getByText('请选择 1–5 星')).toHaveCount(2);

  await reviews.getByRole('group', { name: '商品评分' }).locator('label').filter({ hasText: '5 星' }).click();
  await reviews.getByRole('group', { name: '商家服务' }).locator('label').filter({ hasText: '4 星' }).click();
  await expect(reviews.getByRole('group', { name: '商品评分' })).toContainText('非常满意');
  await reviews.getByLabel('评价内容（选填）').fill('核桃个大壳薄，仁很饱满，工会分给大家都说香。');
  await reviews.getByTestId('review-photo-input').setInputFiles({ name: '核桃.png', mimeType: 'image/png', buffer: await photo() });
  await expect(reviews.getByRole('img', { name: '晒图 1' })).toBeVisible();
  await shoot(page, 'mall-review-form');
  await reviews.getByRole('button', { name: '发布评价' }).click();
  await expect(page.getByText('评价已发布，感谢您的反馈')).toBeVisible();
  const mine = reviews.getByTestId('review');
  await expect(mine).toContainText('核桃个大壳薄');
  await expect(mine.getByRole('img', { name: '买家晒图 1' })).toBeVisible();
  await expect(reviews.getByRole('button', { name: '发布评价' })).toHaveCount(0);
  await shoot(page, 'mall-review-done');

  // The product page: average, count, distribution and the review with its photo.
  await page.getByRole('link', { name: WALNUTS }).first().click();
  await expect(page.getByRole('heading', { name: WALNUTS, level: 1 })).toBeVisible();
  const section = page.getByTestId('product-reviews');
  await expect(section.getByTestId('rating-average')).toHaveText('5.0');
  await expect(page.getByTestId('product-rating')).toContainText('1 条评价');
  await expect(section.getByRole('list', { name: '星级分布' })).toContainText('5 星');
  const shown = section.getByTestId('review').filter({ hasText: '核桃个大壳薄' });
  await expect(shown).toBeVisible();
  await expect(shown.getByRole('img', { name: '买家晒图 1' })).toBeVisible();
  const productUrl = page.url();
  await shoot(page, 'mall-product-reviews');
  await context.close();

  // The merchant replies once from the order page.
  const merchant = await signedIn(browser, 'chengkou', 1280);
  await merchant.page.goto(`/mall/merchant/orders/${orderId}`);
  const card = merchant.page.getByTestId('merchant-reviews');
  await expect(card).toContainText('核桃个大壳薄');
  await card.getByRole('button', { name: '发布回复' }).click();
  await expect(card.getByText('回复 2–300 字')).toBeVisible();
  await card.getByLabel('回复买家（仅可回复一次）').fill('感谢老师们的支持！新核桃下来了，欢迎再来。');
  await card.getByRole('button', { name: '发布回复' }).click();
  await expect(merchant.page.getByText('回复已发布')).toBeVisible();
  await expect(card.getByTestId('review-reply')).toContainText('感谢老师们的支持');
  await expect(card.getByRole('button', { name: '发布回复' })).toHaveCount(0);
  await shoot(merchant.page, 'mall-merchant-review-reply');

  // Anyone sees the reply on the product page; the product's card in search shows the average.
  const visitor = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 800 } });
  const vp = await visitor.newPage();
  await vp.goto(productUrl);
  await expect(vp.getByTestId('product-reviews').getByTestId('review-reply')).toContainText('感谢老师们的支持');
  await vp.goto(`/mall/search?q=${encodeURIComponent('核桃')}`);
  await expect(vp.getByTestId('product-card').filter({ hasText: WALNUTS }).getByTestId('card-rating')).toContainText('5.0');
  await shoot(vp, 'mall-search-ratings');
  await visitor.close();
  await merchant.context.close();
});
